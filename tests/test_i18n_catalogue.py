"""The German and English catalogues are complete, consistent and up to date.

No database, no gettext tools, no extra packages: a minimal .po reader below, the standard
library's gettext for the compiled .mo, and `ast` plus a few regexes to collect the strings
that `makemessages` would extract from the Python code and the templates.

To fix a failure: run `makemessages -l en -l de --no-obsolete …` (see bin/i18n_fill_de.py),
translate the new English entries, run `bin/i18n_fill_de.py` and `compilemessages`.
"""

import ast
import gettext
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ("en", "de")
# The same directories `makemessages` is told to ignore (plus the usual hidden ones).
IGNORED_DIRS = {".venv", "var", "node_modules", "bench", "tests", "locale", "staticfiles", "artifacts"}
IGNORED_PATHS = {("static", "vendor")}


# --- a minimal .po reader -----------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(token: str) -> str:
    assert token.startswith('"') and token.endswith('"'), token
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), token[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr ({index: text}), flags, line.

    Obsolete entries (#~) and previous-msgid comments (#|) are skipped.
    """
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:  # a blank line ends an entry
            flush()
            entry, field = None, None
            continue
        if line.startswith("#~") or line.startswith("#|"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry and field is not None:  # a comment starts the next entry
                flush()
                entry, field = None, None
            if entry is None:
                entry = {"flags": set(), "msgstr": {}, "msgctxt": None, "msgid_plural": None, "line": number}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            text = _unquote(line)
        else:
            if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
                flush()
                entry = None
            if entry is None:
                entry = {"flags": set(), "msgstr": {}, "msgctxt": None, "msgid_plural": None, "line": number}
            field, text = keyword, _unquote(rest.strip())
            if field.startswith("msgstr"):
                index = int(field[7:-1]) if field.startswith("msgstr[") else 0
                entry["msgstr"][index] = ""
        if field.startswith("msgstr"):
            index = int(field[7:-1]) if field.startswith("msgstr[") else 0
            entry["msgstr"][index] += text
        else:
            entry[field] = entry.get(field) or ""
            entry[field] += text
    flush()
    return entries


def catalogue(language: str) -> list[dict]:
    return parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")


def header(entries: list[dict]) -> dict:
    first = entries[0]
    assert first["msgid"] == "" and first["msgctxt"] is None, "the header must be the first entry"
    fields = {}
    for line in first["msgstr"][0].splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != "" or e["msgctxt"] is not None]


# --- placeholders ---------------------------------------------------------------------------------

_PERCENT = re.compile(r"%%|%\([^)]+\)[-#0+]*\d*(?:\.\d+)?[sdifr]|%[-#0+]*\d*(?:\.\d+)?[sdifr]")
_BRACE = re.compile(r"\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def placeholders(text: str) -> Counter:
    found = [m for m in _PERCENT.findall(text) if m != "%%"] + _BRACE.findall(text)
    return Counter(found)


def tags(text: str) -> Counter:
    return Counter(re.sub(r"\s+", " ", t) for t in _TAG.findall(text))


def _label(e: dict) -> str:
    return f"line {e['line']}: {e['msgid'][:70]!r}"


# --- completeness and consistency -----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_header(language):
    entries = catalogue(language)
    fields = header(entries)
    assert "fuzzy" not in entries[0]["flags"], "the header is still marked fuzzy"
    assert fields.get("Language") == language
    assert fields.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in fields.get("Content-Type", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = messages(catalogue(language))
    assert len(entries) > 500, "the catalogue looks truncated"
    problems = []
    for e in entries:
        if "fuzzy" in e["flags"]:
            problems.append("fuzzy " + _label(e))
        expected = {0, 1} if e["msgid_plural"] is not None else {0}
        if set(e["msgstr"]) != expected or not all(e["msgstr"].values()):
            problems.append("untranslated " + _label(e))
    assert not problems, f"{language}: " + "; ".join(problems[:20])


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_tags_and_newlines_match(language):
    problems = []
    for e in messages(catalogue(language)):
        sources = [e["msgid"], e["msgid_plural"]] if e["msgid_plural"] is not None else [e["msgid"]]
        for index, text in sorted(e["msgstr"].items()):
            if not text:
                continue
            source = sources[min(index, len(sources) - 1)]
            if e["msgid_plural"] is not None and index == 0:
                # The singular may spell out "one" instead of the count, but must not invent placeholders.
                if set(placeholders(text)) - set(placeholders(e["msgid"]) + placeholders(e["msgid_plural"])):
                    problems.append(f"placeholders in msgstr[0] of {_label(e)}")
            elif placeholders(text) != placeholders(source):
                problems.append(
                    f"placeholders {dict(placeholders(source))} ≠ {dict(placeholders(text))} in {_label(e)}"
                )
            if tags(text) != tags(source):
                problems.append(f"HTML tags differ in {_label(e)}")
            if source.startswith("\n") != text.startswith("\n") or source.endswith("\n") != text.endswith("\n"):
                problems.append(f"leading/trailing newline differs in {_label(e)}")
    assert not problems, f"{language}: " + "; ".join(problems[:20])


def third_party_german() -> dict:
    """Django's and the installed apps' own German translations (not ours), merged."""
    import django
    from django.apps import apps

    merged = {}
    directories = [Path(django.__file__).parent / "conf" / "locale"]
    directories += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    for directory in directories:
        mo = directory / "de" / "LC_MESSAGES" / "django.mo"
        if mo.exists() and directory.resolve() != LOCALE.resolve():
            with open(mo, "rb") as fp:
                for key, value in gettext.GNUTranslations(fp)._catalog.items():
                    merged.setdefault(key, value)
    return merged


def test_german_catalogue_is_the_source_text():
    """German msgstr = msgid; except English msgids of third-party apps (our overrides of allauth's
    templates keep allauth's msgids), which carry that app's German translation (bin/i18n_fill_de.py),
    or, where that translation says "du", the formal text of digisos/formal_german.py."""
    from digisos.formal_german import FORMAL_GERMAN

    others = third_party_german()
    wrong = []
    for e in messages(catalogue("de")):
        if e["msgid_plural"] is None:
            expected = {0: e["msgid"]}
            alternative = {0: others.get(e["msgid"])}
        else:
            expected = {0: e["msgid"], 1: e["msgid_plural"]}
            alternative = {0: others.get((e["msgid"], 0)), 1: others.get((e["msgid"], 1))}
        formal = {0: FORMAL_GERMAN.get(e["msgid"])}
        if e["msgstr"] not in (expected, alternative, formal):
            wrong.append(_label(e))
    assert not wrong, "German msgstr must equal its msgid: " + "; ".join(wrong[:20])


def test_allauth_strings_in_our_templates_stay_german():
    """Our catalogue wins over allauth's: an identity entry for "Sign In" would make the German login page English."""
    german = {e["msgid"]: e["msgstr"].get(0) for e in messages(catalogue("de"))}
    if "Sign In" in german:
        assert german["Sign In"] == "Anmeldung"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    """The committed .mo is what the .po says (i.e. compilemessages was run after the last edit)."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in messages(catalogue(language)):
        if "fuzzy" in e["flags"] or not all(e["msgstr"].values()):
            continue
        context = e["msgctxt"]
        if e["msgid_plural"] is None:
            got = compiled.pgettext(context, e["msgid"]) if context else compiled.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(_label(e))
        else:
            for n, index in ((1, 0), (2, 1)):
                if context:
                    got = compiled.npgettext(context, e["msgid"], e["msgid_plural"], n)
                else:
                    got = compiled.ngettext(e["msgid"], e["msgid_plural"], n)
                if got != e["msgstr"][index]:
                    stale.append(_label(e))
    assert not stale, f"{language}: django.mo is out of date, run compilemessages: " + "; ".join(stale[:10])


# --- is the catalogue up to date with the source? -------------------------------------------------

_GETTEXT_FUNCTIONS = {
    "_": (0, None, None),
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}


def _source_files(suffixes):
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in IGNORED_DIRS for part in relative[:-1]):
            continue
        if any(relative[: len(p)] == p for p in IGNORED_PATHS):
            continue
        if path.suffix in suffixes and path.is_file():
            yield path


def _constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "a" "b" is already one Constant; "a" + "b"
        left, right = _constant(node.left), _constant(node.right)
        return left + right if left is not None and right is not None else None
    return None


def python_msgids():
    found = {}
    for path in _source_files({".py"}):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in _GETTEXT_FUNCTIONS:
                continue
            singular, plural, context = _GETTEXT_FUNCTIONS[name]
            if len(node.args) <= max(i for i in (singular, plural, context) if i is not None):
                continue
            msgid = _constant(node.args[singular])
            if msgid is None:
                continue
            key = (
                _constant(node.args[context]) if context is not None else None,
                msgid,
                _constant(node.args[plural]) if plural is not None else None,
            )
            found[key] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


_TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)(?:\s+context\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq))?"""
)
_UNDERSCORE = re.compile(r"""_\(\s*(?P<q>["'])(?P<msgid>.*?)(?P=q)\s*\)""")
_BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
_PLURAL = re.compile(r"\{%\s*plural\s*%\}")
_COMMENT = re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}", re.S)  # makemessages skips these
_ONE_PERCENT = re.compile(r"(?<!%)%(?!%)")  # as in django.utils.translation.template
_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def _block_msgid(text: str, trimmed: bool) -> str:
    if trimmed:  # django.utils.translation.trim_whitespace
        text = re.sub(r"\s*\n\s*", " ", text.strip())
    text = _ONE_PERCENT.sub("%%", text)
    return _VARIABLE.sub(lambda m: f"%({m.group(1)})s", text)


def template_msgids():
    found = {}
    for path in _source_files({".html", ".txt"}):
        source = _COMMENT.sub("", path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for m in _TRANSLATE_TAG.finditer(source):
            found[(m.group("ctx"), _ONE_PERCENT.sub("%%", m.group("msgid")), None)] = where
        for m in _UNDERSCORE.finditer(source):
            found[(None, m.group("msgid"), None)] = where
        for m in _BLOCK.finditer(source):
            args = m.group("args")
            if "{%" in m.group("body").replace("{% plural %}", ""):
                continue  # other tags inside a block are a template error; leave it to Django
            context = re.search(r"""context\s+(["'])(.*?)\1""", args)
            trimmed = re.search(r"\btrimmed\b", args) is not None
            parts = _PLURAL.split(m.group("body"))
            singular = _block_msgid(parts[0], trimmed)
            plural = _block_msgid(parts[1], trimmed) if len(parts) > 1 else None
            found[(context.group(2) if context else None, singular, plural)] = where
    return found


def test_catalogue_contains_every_string_in_the_source():
    """A cheap stand-in for re-running makemessages: every literal gettext string must be in the .po."""
    known = {(e["msgctxt"], e["msgid"], e["msgid_plural"]) for e in messages(catalogue("en"))}
    wanted = {**python_msgids(), **template_msgids()}
    assert len(wanted) > 500, "the source scan found suspiciously few strings"
    missing = [
        f"{where}: {key[1][:70]!r}" for key, where in sorted(wanted.items(), key=lambda kv: kv[1]) if key not in known
    ]
    assert not missing, (
        f"{len(missing)} string(s) not in locale/en/LC_MESSAGES/django.po, run makemessages and translate: "
        + "; ".join(missing[:15])
    )


@pytest.mark.parametrize(
    "msgid",
    [
        "Notfall-Abruf stellen",
        "Abruf jetzt verbindlich stellen",
        "Lagebild NRW",
        "Zum Inhalt springen",
        "Abmelden",
        "Rahmenvertrag",
        "Großschadenslage",
    ],
)
def test_key_strings_are_translated_into_english(msgid):
    english = {e["msgid"]: e["msgstr"].get(0, "") for e in messages(catalogue("en"))}
    assert english.get(msgid), f"{msgid!r} is missing or untranslated"
    assert english[msgid] != msgid
