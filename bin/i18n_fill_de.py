#!/usr/bin/env python3
"""Fill the German catalogue after `makemessages` and normalise the catalogue headers.

The UI source strings are German, so every German msgstr is its msgid. This script
rebuilds locale/de/LC_MESSAGES/django.po from the msgids (any fuzzy guess or stale
msgstr that msgmerge left behind is replaced), and gives both the German and the
English catalogue a proper, non-fuzzy header (Language, Plural-Forms, UTF-8).

Needs only the GNU gettext tools (msgfilter, msgen, msgattrib), which `makemessages`
needs anyway. Usage (from the project root):

    DEBUG=1 .venv/bin/python manage.py makemessages -l en -l de --no-obsolete ...
    .venv/bin/python bin/i18n_fill_de.py
    DEBUG=1 .venv/bin/python manage.py compilemessages --ignore '.venv/*'
"""

import datetime
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
TEAMS = {"de": "Deutsch", "en": "English"}


def _set_header_field(header: str, name: str, value: str) -> str:
    line = f'"{name}: {value}\\n"'
    pattern = re.compile(rf'^"{re.escape(name)}:.*\\n"$', re.MULTILINE)
    if pattern.search(header):
        return pattern.sub(lambda _m: line, header, count=1)
    return header.rstrip("\n") + "\n" + line + "\n"


def normalise_header(path: Path, language: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.find('msgid ""\nmsgstr ""\n')
    if start < 0:
        raise SystemExit(f"{path}: no header entry found")
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    prefix, header, rest = text[:start], text[start:end], text[end:]
    # The header's own "#, fuzzy" flag (makemessages writes one into a fresh catalogue).
    prefix = re.sub(r"^#, fuzzy\n", "", prefix, flags=re.MULTILINE)
    prefix = prefix.replace("# SOME DESCRIPTIVE TITLE.", "# Digi-SOS user interface, " + TEAMS[language] + ".")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000")
    for name, value in (
        ("Project-Id-Version", "digisos"),
        ("PO-Revision-Date", now),
        ("Last-Translator", "Digi-SOS i18n <digisos@localhost>"),
        ("Language-Team", TEAMS[language]),
        ("Language", language),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", PLURAL_FORMS),
    ):
        header = _set_header_field(header, name, value)
    path.write_text(prefix + header + rest, encoding="utf-8")


def fill_german(path: Path) -> None:
    # 1. empty every msgstr (keeps the header), 2. msgstr := msgid, 3. drop fuzzy flags and obsolete entries.
    # Fixed argument lists of the GNU gettext tools found on PATH, as makemessages itself runs them.
    emptied = subprocess.run(  # noqa: S603
        ["msgfilter", "--keep-header", "-i", str(path), "sed", "-e", "d"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    filled = subprocess.run(["msgen", "-"], input=emptied, check=True, capture_output=True).stdout  # noqa: S603, S607
    subprocess.run(  # noqa: S603
        ["msgattrib", "--clear-fuzzy", "--no-obsolete", "-o", str(path), "-"],  # noqa: S607
        input=filled,
        check=True,
    )


def main() -> int:
    de = LOCALE / "de" / "LC_MESSAGES" / "django.po"
    en = LOCALE / "en" / "LC_MESSAGES" / "django.po"
    normalise_header(de, "de")
    fill_german(de)
    normalise_header(de, "de")
    if en.exists():
        normalise_header(en, "en")
    print(f"filled {de.relative_to(ROOT)}; headers normalised")
    return 0


if __name__ == "__main__":
    sys.exit(main())
