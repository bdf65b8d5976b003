"""German words in the portal's URLs while the code keeps its English action keys.

A path converter built from a word map: reverse("calloffs:action", args=[id, "accept"]) writes
/abrufe/<id>/annehmen/, and the view receives "accept" again, so URL names and reverse() calls stay
as they are. A key without a German word (a new action) passes through unchanged; the English word
is still accepted on the way in, so links in e-mails sent before the change keep working.
The provider REST API under /api/v1/ keeps its English words (docs/PROVIDER_API.md).
"""

from __future__ import annotations


def word_converter(words: dict[str, str]) -> type:
    """A converter class for ``django.urls.register_converter``; ``words`` maps key → German word."""
    keys = {german: key for key, german in words.items()}

    class WordConverter:
        regex = "[-a-zA-Z0-9_]+"

        def to_python(self, value: str) -> str:
            return keys.get(value, value)

        def to_url(self, value: str) -> str:
            return words.get(value, value)

    return WordConverter
