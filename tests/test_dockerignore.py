"""The Docker image holds no secrets and nothing of a local instance: the build context, computed
from .dockerignore with Docker's rules (moby/patternmatcher: patterns relative to the context root,
``*`` within one path element, ``**`` across any number, ``!`` re-includes, the last matching pattern
wins, a pattern that matches a directory excludes everything under it), holds no .env, .git, .venv,
var/ or secrets/, and everything the Dockerfile needs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compile(pattern: str) -> re.Pattern:
    """One .dockerignore pattern as a regular expression over '/'-separated paths."""
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern[i : i + 2] == "**":
                i += 2
                if pattern[i : i + 1] == "/":  # "**/": any number of leading directories, also none
                    i += 1
                    out += "(?:.*/)?"
                else:
                    out += ".*"
                continue
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(f"^{out}$")


def load_patterns(text: str) -> list[tuple[re.Pattern, bool, str]]:
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        line = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        patterns.append((_compile(line), exclusion, line))
    return patterns


def ignored(path: str, patterns) -> bool:
    """Docker's MatchesOrParentMatches: the path or one of its parent directories matches."""
    parts = path.split("/")
    parents = ["/".join(parts[: n + 1]) for n in range(len(parts) - 1)]
    matched = False
    for regex, exclusion, _source in patterns:
        hit = bool(regex.match(path)) or any(regex.match(parent) for parent in parents)
        if hit:
            matched = not exclusion
    return matched


def context_files(root: Path, patterns) -> list[str]:
    """Every file Docker would send as the build context (symlinks are sent as links, not followed)."""
    reincluded = [source for _regex, exclusion, source in patterns if exclusion]

    def may_come_back(directory: str) -> bool:
        return any(source.startswith((directory + "/", "*", "?", "[")) for source in reincluded)

    files = []
    for folder, dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        # Skip what is excluded as a whole and cannot come back (.venv, .git): only a shortcut.
        dirs[:] = [d for d in dirs if not ignored(prefix + d, patterns) or may_come_back(prefix + d)]
        files += [prefix + name for name in names + [d for d in dirs if (Path(folder) / d).is_symlink()]]
    return sorted(f for f in files if not ignored(f, patterns))


PATTERNS = load_patterns((ROOT / ".dockerignore").read_text())


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        ".git/config",
        ".git/objects/ab/cdef",
        ".venv/bin/python",
        "var/digisos.sqlite3",
        "var/media/attachments/x.pdf",
        "var/audit-checkpoints.jsonl",
        "secrets/audit_key",
        "calloffs/__pycache__/models.cpython-311.pyc",
        "artifacts/screenshots/home.png",
        "digisos.sqlite3",
    ],
)
def test_secrets_and_local_state_stay_out(path):
    assert ignored(path, PATTERNS)


@pytest.mark.parametrize(
    "path",
    ["manage.py", "pyproject.toml", "constraints.txt", "README.md", "digisos/settings/base.py", ".env.example"],
)
def test_what_the_image_needs_goes_in(path):
    assert not ignored(path, PATTERNS)


def test_the_matcher_follows_dockers_rules():
    patterns = load_patterns("*.md\n!README.md\n**/cache\ndocs/*/x\n")
    assert ignored("NOTES.md", patterns) and not ignored("README.md", patterns)
    assert not ignored("docs/NOTES.md", patterns)  # "*" does not cross "/"
    assert ignored("cache/a", patterns) and ignored("a/b/cache/c", patterns)
    assert ignored("docs/a/x", patterns) and not ignored("docs/a/b/x", patterns)


def test_the_context_of_this_tree_holds_no_secret_and_everything_needed(tmp_path):
    files = context_files(ROOT, PATTERNS)
    for forbidden in (".env", ".git/", ".venv", "var/", "secrets/"):
        leaked = [f for f in files if f == forbidden.rstrip("/") or f.startswith(forbidden)]
        assert leaked in ([], [".env.example"]), leaked[:5]  # the documented template, no values
    assert not [f for f in files if "__pycache__" in f]
    for needed in ("Dockerfile", "manage.py", "constraints.txt", "digisos/wsgi.py", "templates/base.html"):
        assert needed in files
    assert any(f.startswith("locale/de/") for f in files) and any(f.startswith("static/") for f in files)


def test_a_tree_with_local_secrets_keeps_them_out(tmp_path):
    """The same on a tree that has what a working copy accumulates: .env, a venv, var/, secrets/."""
    for path in [".env", ".git/HEAD", ".venv/bin/python", "var/media/x.pdf", "secrets/audit_key", "app/main.py"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    assert context_files(tmp_path, PATTERNS) == ["app/main.py"]
