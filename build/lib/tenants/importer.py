"""Import of the eligible bodies from the reference CSV files.

Validates every line first and writes nothing if any line is malformed; then upserts by a
stable key, so that re-running changes nothing and a changed row updates in place.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Organisation, OrganisationKind, Regierungsbezirk

DATA_DIR = Path(__file__).resolve().parent / "data"
BODIES_FILE = DATA_DIR / "nrw_bodies.csv"
STATE_BODIES_FILE = DATA_DIR / "nrw_state_bodies.csv"

BODY_COLUMNS = ("ags", "name", "kind", "district_ags", "regierungsbezirk", "population")
STATE_COLUMNS = ("name", "kind", "parent")
MUNICIPAL_KINDS = set(OrganisationKind.municipal())
STATE_KINDS = {
    OrganisationKind.MINISTERIUM,
    OrganisationKind.OBERSTE_LANDESBEHOERDE,
    OrganisationKind.LANDESOBERBEHOERDE,
    OrganisationKind.LANDESBETRIEB,
    OrganisationKind.LANDESUNTERNEHMEN,
}
KEY_PATTERN = re.compile(r"^(05\d{3}(\d{3})?|LV-[A-Z]+)$")


class ImportError_(Exception):
    """A malformed input file; the message names the file and line."""


@dataclass
class Row:
    source_key: str
    name: str
    kind: str
    ags: str | None = None
    regierungsbezirk: str = ""
    population: int | None = None
    parent_key: str | None = None
    official_name: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _reader(text: str, path_label: str, required: tuple[str, ...]):
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportError_(f"{path_label}, line 1: missing column(s) {', '.join(missing)}")
    return reader


def parse_bodies(text: str, path_label: str = "nrw_bodies.csv") -> list[Row]:
    rows: list[Row] = []
    reader = _reader(text, path_label, BODY_COLUMNS)
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        where = f"{path_label}, line {line}"
        if None in record or any(v is None for v in record.values()):
            raise ImportError_(f"{where}: wrong number of fields")
        key = record["ags"].strip()
        name = record["name"].strip()
        kind = record["kind"].strip()
        if not KEY_PATTERN.match(key):
            raise ImportError_(f"{where}: invalid key {key!r} (expected an NRW AGS, Kreisschlüssel or LV-…)")
        if key in seen:
            raise ImportError_(f"{where}: duplicate key {key}")
        seen.add(key)
        if not name:
            raise ImportError_(f"{where}: empty name")
        if kind not in MUNICIPAL_KINDS:
            raise ImportError_(f"{where}: unknown kind {kind!r}")
        rb = record["regierungsbezirk"].strip()
        if rb and rb not in Regierungsbezirk.values:
            raise ImportError_(f"{where}: unknown Regierungsbezirk {rb!r}")
        population = record["population"].strip()
        if population and not population.isdigit():
            raise ImportError_(f"{where}: population {population!r} is not a whole number")
        district = record["district_ags"].strip() or None
        if district and not re.fullmatch(r"05\d{3}", district):
            raise ImportError_(f"{where}: invalid district_ags {district!r}")
        rows.append(
            Row(
                source_key=key,
                name=name,
                kind=kind,
                ags=key if key.startswith("05") else None,
                regierungsbezirk=rb,
                population=int(population) if population else None,
                parent_key=district,
                official_name=(record.get("name_destatis") or "").strip(),
            )
        )
    keys = {r.source_key for r in rows}
    for index, row in enumerate(rows, start=2):
        if row.parent_key and row.parent_key not in keys:
            raise ImportError_(f"{path_label}, line {index}: district {row.parent_key} is not in the file")
    return rows


def state_key(name: str) -> str:
    return "state:" + slugify(name)[:190]


def parse_state_bodies(text: str, path_label: str = "nrw_state_bodies.csv") -> list[Row]:
    rows: list[Row] = []
    reader = _reader(text, path_label, STATE_COLUMNS)
    names: set[str] = set()
    for record in reader:
        where = f"{path_label}, line {reader.line_num}"
        if None in record or any(v is None for v in record.values()):
            raise ImportError_(f"{where}: wrong number of fields")
        name, kind = record["name"].strip(), record["kind"].strip()
        if not name:
            raise ImportError_(f"{where}: empty name")
        if kind not in STATE_KINDS:
            raise ImportError_(f"{where}: unknown kind {kind!r}")
        if name in names:
            raise ImportError_(f"{where}: duplicate name {name!r}")
        names.add(name)
        parent = record["parent"].strip()
        rows.append(Row(source_key=state_key(name), name=name, kind=kind, parent_key=parent or None))
    for row in rows:
        # A supervising body outside the file (e.g. "Landesregierung") is not a body of its own here.
        row.parent_key = state_key(row.parent_key) if row.parent_key in names else None
    return rows


@transaction.atomic
def import_rows(rows: list[Row], *, eligible_from: date | None) -> ImportResult:
    result = ImportResult()
    existing = {o.source_key: o for o in Organisation.objects.filter(source_key__in=[r.source_key for r in rows])}
    fields = ("name", "kind", "ags", "regierungsbezirk", "population", "official_name")
    # Pass 1: the bodies themselves.
    for row in rows:
        org = existing.get(row.source_key)
        values = {f: getattr(row, f) for f in fields}
        if org is None:
            org = Organisation(source_key=row.source_key, eligible_from=eligible_from, **values)
            org.save()
            existing[row.source_key] = org
            result.created += 1
        else:
            changed = [f for f in fields if getattr(org, f) != values[f]]
            if changed:
                for f in changed:
                    setattr(org, f, values[f])
                org.save(update_fields=[*changed, "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        result.by_kind[row.kind] = result.by_kind.get(row.kind, 0) + 1
    # Pass 2: parents, now that every body exists.
    for row in rows:
        org = existing[row.source_key]
        parent = existing.get(row.parent_key) if row.parent_key else None
        if org.parent_id != (parent.pk if parent else None):
            org.parent = parent
            org.save(update_fields=["parent", "updated_at"])
    return result


def import_files(
    *, bodies: Path = BODIES_FILE, state_bodies: Path | None = STATE_BODIES_FILE, eligible_from: date | None = None
) -> ImportResult:
    """Parse everything first (fail before writing), then import in one transaction."""
    rows = parse_bodies(bodies.read_text(encoding="utf-8"), bodies.name)
    if state_bodies is not None:
        rows += parse_state_bodies(state_bodies.read_text(encoding="utf-8"), state_bodies.name)
    return import_rows(rows, eligible_from=eligible_from)
