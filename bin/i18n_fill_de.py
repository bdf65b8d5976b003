#!/usr/bin/env python3
"""Fill the German catalogue after `makemessages` and normalise the catalogue headers.

The UI source strings are German, so every German msgstr is its msgid. This script
rebuilds locale/de/LC_MESSAGES/django.po from the msgids (any fuzzy guess or stale
msgstr that msgmerge left behind is replaced), and gives both the German and the
English catalogue a proper, non-fuzzy header (Language, Plural-Forms, UTF-8).

Exception: a few msgids are English because they are a third-party app's own strings,
used in our overrides of its templates (templates/account/login.html says
{% trans "Sign In" %} so that allauth's translations apply), or an English word in our
settings (LANGUAGES). Our catalogue takes precedence over the app's, so an identity
entry would turn the German page English. For those msgids the German msgstr is the
installed app's German translation (allauth, Django).

Where allauth's or DRF's German says "du", digisos/formal_german.py lists the msgid with a formal ("Sie")
text: that text becomes the German msgstr, and the English msgstr is the msgid itself.

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
# Template directories that override third-party apps' templates (their msgids are the app's, in English).
THIRD_PARTY_TEMPLATE_DIRS = ("templates/account/", "templates/allauth/", "templates/mfa/", "templates/admin/")
# English msgids in our own code; German comes from Django's catalogue.
ENGLISH_MSGIDS = {"English"}


def _unquote(token: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), token.strip()[1:-1])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def read_msgids_from_text(text: str) -> list[tuple[str, str | None, list[str]]]:
    """(msgid, msgid_plural, source locations) of every active entry; enough for this script."""
    entries, locations, current, field = [], [], None, None
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current is not None:
                entries.append((current["msgid"], current.get("msgid_plural"), locations))
            current, locations, field = None, [], None
        elif line.startswith("#:"):
            locations += line[2:].split()
        elif line.startswith(("msgid ", "msgid_plural ")):
            field, value = line.split(" ", 1)
            current = current or {}
            current[field] = _unquote(value)
        elif line.startswith("msgstr"):
            field = "msgstr"
        elif line.startswith('"') and field in ("msgid", "msgid_plural"):
            current[field] += _unquote(line)
    return [e for e in entries if e[0]]


def third_party_german() -> list:
    """The German catalogues of Django and the installed apps (not ours), as gettext objects."""
    import gettext
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")
    os.environ.setdefault("DEBUG", "1")  # only to load the installed apps; nothing is served
    import django
    from django.apps import apps

    django.setup()
    directories = [Path(django.__file__).parent / "conf" / "locale"]
    directories += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    catalogues = []
    for directory in directories:
        mo = directory / "de" / "LC_MESSAGES" / "django.mo"
        if mo.exists() and directory.resolve() != LOCALE.resolve():
            with open(mo, "rb") as fp:
                catalogues.append(gettext.GNUTranslations(fp))
    return catalogues


def apply_third_party_german(path: Path) -> int:
    """German msgstr for the English msgids described in the module docstring."""
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    catalogues, changed = None, 0
    for index, block in enumerate(blocks):
        parsed = read_msgids_from_text(block)
        if not parsed:
            continue
        msgid, plural, locations = parsed[0]
        files = [location.rsplit(":", 1)[0] for location in locations]
        if msgid not in ENGLISH_MSGIDS and not any(f.startswith(THIRD_PARTY_TEMPLATE_DIRS) for f in files):
            continue
        catalogues = catalogues if catalogues is not None else third_party_german()
        for catalogue in catalogues:
            forms = catalogue._catalog
            if plural is None and msgid in forms:
                msgstr = [f"msgstr {_quote(forms[msgid])}"]
            elif plural is not None and (msgid, 0) in forms:
                msgstr = [
                    f"msgstr[0] {_quote(forms[(msgid, 0)])}",
                    f"msgstr[1] {_quote(forms.get((msgid, 1), plural))}",
                ]
            else:
                continue
            head = block[: block.index("\nmsgstr")] if "\nmsgstr" in block else block
            blocks[index] = head + "\n" + "\n".join(msgstr)
            changed += 1
            break
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return changed


FORMAL_SOURCE = "digisos/formal_german.py"


def _drop_fuzzy(line: str) -> str:
    return line.replace("#, fuzzy, ", "#, ").replace(", fuzzy", "") if line.startswith("#,") else line


def apply_formal_german(path: Path, language: str) -> int:
    """German: the formal text of digisos/formal_german.py; English: the msgid (the app's own English)."""
    third_party_german()  # sets Django up, so the module can be imported
    from digisos.formal_german import FORMAL_GERMAN

    blocks = path.read_text(encoding="utf-8").split("\n\n")
    changed = 0
    for index, block in enumerate(blocks):
        parsed = read_msgids_from_text(block)
        if not parsed or not any(loc.startswith(FORMAL_SOURCE) for loc in parsed[0][2]):
            continue
        msgid = parsed[0][0]
        text = FORMAL_GERMAN[msgid] if language == "de" else msgid
        head = block[: block.index("\nmsgstr")]
        head = "\n".join(_drop_fuzzy(line) for line in head.splitlines() if line != "#, fuzzy")
        blocks[index] = head + "\nmsgstr " + _quote(text)
        changed += 1
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return changed


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
    taken = apply_third_party_german(de)
    formal = apply_formal_german(de, "de")
    normalise_header(de, "de")
    if en.exists():
        normalise_header(en, "en")
        apply_formal_german(en, "en")
    print(f"filled {de.relative_to(ROOT)} ({taken} German msgstr from installed apps, {formal} formal); headers done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
