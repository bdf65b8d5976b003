from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tenants.importer import BODIES_FILE
from tenants.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def run_import(*args):
    out = StringIO()
    call_command("import_bodies", *args, stdout=out)
    return out.getvalue()


def test_it_imports_the_429_municipal_bodies_and_the_state_bodies():
    run_import()
    counts = {k: Organisation.objects.filter(kind=k).count() for k in OrganisationKind.municipal()}
    assert counts == {
        OrganisationKind.KREISFREIE_STADT: 23,
        OrganisationKind.GEMEINDE: 373,
        OrganisationKind.KREIS: 31,
        OrganisationKind.LANDSCHAFTSVERBAND: 2,
    }
    assert sum(counts.values()) == 429
    assert Organisation.objects.exclude(kind__in=OrganisationKind.municipal()).count() == 15


def test_it_links_districts_as_parents_of_their_municipalities():
    run_import()
    olpe_kreis = Organisation.objects.get(ags="05966")
    assert olpe_kreis.children.count() == 7
    assert Organisation.objects.get(ags="05966024").parent == olpe_kreis
    # Every kreisangehörige Gemeinde has its Kreis; Aachen belongs to the Städteregion.
    assert not Organisation.objects.filter(kind=OrganisationKind.GEMEINDE, parent__isnull=True).exists()
    assert Organisation.objects.get(ags="05334002").parent.name == "Städteregion Aachen"
    assert Organisation.objects.get(ags="05315000").parent is None
    it_nrw = Organisation.objects.get(name__startswith="Information und Technik")
    assert it_nrw.parent.name.startswith("Ministerium für Heimat, Kommunales")


def test_it_keeps_keys_and_facts():
    run_import()
    koeln = Organisation.objects.get(ags="05315000")
    assert (koeln.name, koeln.kind, koeln.regierungsbezirk) == ("Köln", "kreisfreie_stadt", "Köln")
    assert koeln.population == 1083498
    lvr = Organisation.objects.get(source_key="LV-LVR")
    assert lvr.ags is None and lvr.regierungsbezirk == ""
    assert koeln.is_eligible()


def test_rerunning_changes_nothing():
    run_import()
    before = dict(Organisation.objects.values_list("source_key", "updated_at"))
    output = run_import()
    assert "0 created, 0 updated, 444 unchanged" in output
    assert dict(Organisation.objects.values_list("source_key", "updated_at")) == before


def test_a_changed_row_updates_and_never_duplicates(tmp_path):
    run_import()
    koeln = Organisation.objects.get(ags="05315000")
    koeln.eligible_until = koeln.eligible_from.replace(year=2030)  # set by the ministry, must survive
    koeln.save()
    changed = BODIES_FILE.read_text(encoding="utf-8").replace(
        "05315000,Köln,kreisfreie_stadt,,Köln,1083498", "05315000,Köln,kreisfreie_stadt,,Köln,1090000"
    )
    path = tmp_path / "bodies.csv"
    path.write_text(changed, encoding="utf-8")
    output = run_import("--bodies", str(path))
    assert "0 created, 1 updated" in output
    koeln.refresh_from_db()
    assert koeln.population == 1090000
    assert koeln.eligible_until.year == 2030
    assert Organisation.objects.filter(ags="05315000").count() == 1


@pytest.mark.parametrize(
    ("line_no", "bad_line", "message"),
    [
        (5, "0511400X,Krefeld,kreisfreie_stadt,,Düsseldorf,226844,1,x", "line 5: invalid key"),
        (5, "05114000,Krefeld,stadtstaat,,Düsseldorf,226844,1,x", "line 5: unknown kind"),
        (5, "05114000,Krefeld,kreisfreie_stadt,,Hamburg,226844,1,x", "line 5: unknown Regierungsbezirk"),
        (5, "05114000,Krefeld,kreisfreie_stadt,,Düsseldorf,viele,1,x", "line 5: population"),
        (5, "05114000,Krefeld", "line 5: wrong number of fields"),
        (5, "05111000,Düsseldorf,kreisfreie_stadt,,Düsseldorf,620523,1,x", "line 5: duplicate key"),
    ],
)
def test_a_malformed_file_fails_naming_the_line_and_imports_nothing(tmp_path, line_no, bad_line, message):
    lines = BODIES_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[line_no - 1].startswith("05114000")
    lines[line_no - 1] = bad_line
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_import("--bodies", str(path))
    assert Organisation.objects.count() == 0


def test_a_missing_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ags,name\n05111000,Düsseldorf\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: missing column"):
        run_import("--bodies", str(path))
    assert not Organisation.objects.exists()


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import("--bodies", str(Path("/nonexistent/bodies.csv")))
