"""manage.py import_roster: human and --json output, errors, dry run."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from compounds.models import Compound, Household

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "roster-sample.csv"
NAME = "青梧苑"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def voting_area():
    rows = csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    return sum((Decimal(r["专有面积"]) for r in rows if r["类型"] != "车位"), Decimal("0"))


def run(*args):
    """(stdout, stderr) of a successful run."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    """(CommandError, stdout, stderr) of a failing run."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_roster", *args, stdout=out, stderr=err)
    return raised.value, out.getvalue(), err.getvalue()


def test_human_output_on_the_sample():
    out, err = run(NAME, str(SAMPLE))
    assert err == ""
    assert "252" in out and "residence 240" in out and "shop 4" in out and "parking space 8" in out
    assert "Voting households (parking excluded): 244" in out
    assert "Owner heads: 240" in out
    assert f"Voting area: {voting_area():.2f}" in out
    assert "Created 252, updated 0, unchanged 0, retired 0." in out
    assert "Dry run" not in out
    assert Household.objects.count() == 252


def test_json_output_on_the_sample():
    out, _err = run(NAME, str(SAMPLE), "--json")
    report = json.loads(out)  # exactly one JSON object
    assert report["households"] == 252
    assert report["by_kind"] == {"residence": 240, "shop": 4, "parking": 8}
    assert report["voting_households"] == 244
    assert report["owner_heads"] == 240
    assert report["voting_area"] == f"{voting_area():.2f}"
    assert Decimal(report["voting_area"]) == voting_area()
    assert (report["created"], report["updated"], report["unchanged"], report["retired"]) == (252, 0, 0, 0)
    assert report["dry_run"] is False

    again = json.loads(run(NAME, str(SAMPLE), "--json")[0])
    assert (again["created"], again["updated"], again["unchanged"], again["retired"]) == (0, 0, 252, 0)


def test_dry_run_saves_nothing():
    out, _err = run(NAME, str(SAMPLE), "--dry-run")
    assert "Dry run: nothing saved." in out
    report = json.loads(run(NAME, str(SAMPLE), "--dry-run", "--json")[0])
    assert report["dry_run"] is True and report["created"] == 252
    assert Compound.objects.count() == 0 and Household.objects.count() == 0


def test_bad_file_reports_every_row_and_saves_nothing(tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("92.94", "九十")  # line 3
    lines[9] = lines[9].replace("住宅", "别墅")  # line 10
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    error, out, err = run_failing(NAME, str(bad))
    assert "2 problems" in str(error)
    assert err.splitlines() == [
        "line 3: The area “九十” is not a number.",
        "line 10: Unknown kind “别墅”: use 住宅 (residence), 商铺 (shop) or 车位 (parking).",
    ]
    assert out == ""

    _error, out, err = run_failing(NAME, str(bad), "--json")
    assert [e["line"] for e in json.loads(out)["errors"]] == [3, 10]
    assert "line 3:" in err
    assert Compound.objects.count() == 0 and Household.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    error, _out, _err = run_failing(NAME, str(tmp_path / "nope.csv"))
    assert "nope.csv" in str(error) and "Cannot read" in str(error)


def test_unreadable_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "roster.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4)
    _error, _out, err = run_failing(NAME, str(junk))
    assert err.startswith("line 1:") and ".xlsx" in err


def test_empty_compound_name_is_refused():
    error, _out, _err = run_failing("  ", str(SAMPLE))
    assert "compound name" in str(error)
    assert Compound.objects.count() == 0


def test_help_renders():
    from compounds.management.commands.import_roster import Command

    text = Command().create_parser("manage.py", "import_roster").format_help()
    assert "--dry-run" in text and "--json" in text
