"""A roster .xlsx is a zip: what it unpacks to is checked before openpyxl
reads it (a zip bomb), and no cell may be longer than a roster needs."""

import io
import struct
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from compounds import roster_import
from compounds.actions import import_roster
from compounds.models import Household, RosterUpload
from compounds.roster_import import MAX_CELL_CHARS, RosterError, parse_roster
from tests.conftest import make_staff

HEADER = ["楼栋", "单元", "室号", "类型", "专有面积"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [HEADER, ["1幢", "1单元", "101", "住宅", 80]]


def with_big_sheet(megabytes, *, base=None):
    """A valid workbook whose first sheet is replaced by `megabytes` MB of one
    repeated cell text: packs to a few KB, written and read in chunks."""
    base = base or workbook(GOOD)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != SHEET:
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
                chunk = b"A" * (1024 * 1024)
                for _ in range(megabytes):
                    sheet.write(chunk)
                sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


def lying_about_size(data, member, claimed):
    """The zip's headers say `member` unpacks to `claimed` bytes (it does not)."""
    data = bytearray(data)
    name = member.encode()
    # Local file header: signature PK\3\4, uncompressed size at offset 22.
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, claimed)
        local = data.find(b"PK\x03\x04", local + 4)
    # Central directory entry: signature PK\1\2, uncompressed size at offset 24.
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, claimed)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def message_of(data, filename="roster.xlsx"):
    with pytest.raises(RosterError) as raised:
        parse_roster(data, filename)
    return " ".join(str(error) for error in raised.value.errors)


def test_a_good_workbook_still_reads():
    assert len(parse_roster(workbook(GOOD), "roster.xlsx")) == 1


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(monkeypatch, english):
    bomb = with_big_sheet(25)
    assert len(bomb) < 200_000  # a small upload...
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(SHEET).file_size > 25 * 1024 * 1024  # ...that unpacks to 25 MB
    monkeypatch.setattr(roster_import.openpyxl, "load_workbook", _must_not_be_called)
    assert "unpacks to far more data than a roster holds" in message_of(bomb)


def test_an_absurd_compression_ratio_is_refused_below_the_size_limit(monkeypatch, english):
    bomb = with_big_sheet(3)  # 3 MB of one letter packs ~1000:1
    monkeypatch.setattr(roster_import.openpyxl, "load_workbook", _must_not_be_called)
    assert "unpacks to far more data than a roster holds" in message_of(bomb)


def test_the_total_of_all_members_is_limited(monkeypatch, english):
    monkeypatch.setattr(roster_import, "MAX_XLSX_TOTAL_BYTES", 4000)
    data = workbook(GOOD)
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 4000
    assert "unpacks to far more data than a roster holds" in message_of(data)


def test_headers_that_lie_about_the_size_are_caught_by_reading_with_a_cap(monkeypatch, english):
    bomb = lying_about_size(with_big_sheet(25), SHEET, 1000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(SHEET).file_size == 1000
    monkeypatch.setattr(roster_import.openpyxl, "load_workbook", _must_not_be_called)
    message = message_of(bomb)
    assert "cannot be read" in message or "unpacks to far more data" in message


def test_the_cap_while_reading_holds_when_the_directory_is_not_checked(monkeypatch, english):
    """Even if a header passed the directory check, reading stops at the cap."""
    monkeypatch.setattr(roster_import, "MAX_XLSX_RATIO", 10**9)
    monkeypatch.setattr(roster_import, "MAX_XLSX_MEMBER_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(roster_import, "MAX_XLSX_TOTAL_BYTES", 10**12)
    real_infolist = zipfile.ZipFile.infolist

    def understated(archive):
        infos = real_infolist(archive)
        for info in infos:
            info.file_size = min(info.file_size, 1000) if info.filename == SHEET else info.file_size
        return infos

    monkeypatch.setattr(zipfile.ZipFile, "infolist", understated)
    monkeypatch.setattr(roster_import.openpyxl, "load_workbook", _must_not_be_called)
    message = message_of(with_big_sheet(3))
    assert "cannot be read" in message or "unpacks to far more data" in message


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("openpyxl must not see this file")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_cell_longer_than_any_roster_field_is_refused_with_its_line(kind, english):
    rows = [HEADER, ["1幢", "1单元", "101", "住宅", 80], ["1幢", "1单元", "102", "住宅", "x" * (MAX_CELL_CHARS + 1)]]
    if kind == "xlsx":
        data, name = workbook(rows), "roster.xlsx"
    else:
        data, name = "\n".join(",".join(str(c) for c in row) for row in rows).encode(), "roster.csv"
    message = message_of(data, name)
    assert "line 3" in message and f"more than {MAX_CELL_CHARS} characters" in message


def test_a_bomb_imports_nothing(compound, english):
    before = Household.objects.count()
    with pytest.raises(RosterError):
        import_roster(compound.name, with_big_sheet(25), "roster.xlsx")
    assert Household.objects.count() == before


def test_a_bomb_uploaded_on_the_roster_page_is_refused_and_not_kept(client, compound):
    client.force_login(make_staff(compound, "wk", "worker"))
    upload = io.BytesIO(with_big_sheet(25))
    upload.name = "roster.xlsx"
    page = client.post(reverse("roster", kwargs={"compound_id": compound.pk}), {"file": upload})
    assert page.status_code == 200
    assert "unpacks to far more data than a roster holds" in page.content.decode()
    assert not RosterUpload.objects.exists()
