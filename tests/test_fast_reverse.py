"""digisos.fast_reverse gives what reverse() gives: each UUID in its place, for several URLs, under
another script prefix, with literal arguments; other arguments are reversed as before."""

from __future__ import annotations

import uuid

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from digisos.fast_reverse import reverse_uuids

CASES = [
    ("calloffs:list",),
    ("calloffs:live", uuid.uuid4()),
    ("calloffs:action", uuid.uuid4(), "cancel"),
    ("calloffs:action", uuid.uuid4(), "checklist"),
    ("calloffs:attachment_download", uuid.uuid4(), uuid.uuid4()),
    ("calloffs:emergency_card", uuid.uuid4()),
]


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_it_gives_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for name, *args in CASES:
            for _ in range(3):  # kept after the first call: a new id each time
                args = [uuid.uuid4() if isinstance(arg, uuid.UUID) else arg for arg in args]
                assert reverse_uuids(name, *args) == reverse(name, args=args)
                assert all(str(arg) in reverse_uuids(name, *args) for arg in args if isinstance(arg, uuid.UUID))
    finally:
        set_script_prefix("/")


def test_other_arguments_are_reversed_as_before():
    public_id = uuid.uuid4()
    assert reverse_uuids("calloffs:live", str(public_id)) == reverse("calloffs:live", args=[str(public_id)])
    with pytest.raises(NoReverseMatch):
        reverse_uuids("calloffs:live", 42)
