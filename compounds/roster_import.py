"""Compound roster import: a spreadsheet in, households out, all or nothing.

A property office keeps its roster in Excel; community workers export CSV
from it, from WPS, or from an old district system. So we read .xlsx and CSV
in UTF-8 (with or without BOM) or GB18030 (what Excel writes on a Chinese PC),
with Chinese or English headers.

The roster decides who may vote, so a file with any bad row changes nothing:
every bad row is reported at once (line number and reason) and the worker
fixes the file and uploads it again. A good file is applied in one
transaction; re-importing it is a no-op, a corrected file updates households
in place, and households missing from it are retired, never deleted, because
meeting records refer to them.

ID-number tails are turned into an owner key (compounds.identity) while the
row is read and dropped there: they are never stored, logged or shown.
"""

import csv
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice

import openpyxl
from django.utils.translation import gettext as _

from compounds import electorate
from compounds.identity import normalize_tail, owner_key, split_names
from compounds.models import Building, BuildingUnit, Compound, Household

logger = logging.getLogger(__name__)

Kind = Household.Kind
AreaSource = Household.AreaSource

# A compound has at most ~3,000 households; the caps keep a hostile or
# mistaken file (a zip bomb, a whole export of the district) from eating memory.
MAX_ROWS = 20_000
MAX_COLUMNS = 50
# A .xlsx is a zip: a 1 MB upload can unpack to gigabytes that openpyxl
# would hold in memory. Before openpyxl sees it, each member's size is
# checked, as declared by the zip and as really read (a lying header), and
# so is the ratio of unpacked to packed size. A 3,000-household sheet is a
# few MB of XML packed about ten to one.
MAX_XLSX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 500
MAX_XLSX_RATIO = 200  # for members over RATIO_FLOOR_BYTES (tiny ones pack anyhow)
RATIO_FLOOR_BYTES = 1024 * 1024
# No roster cell holds more (a co-owners list, a note).
MAX_CELL_CHARS = 500

XLSX_MAGIC = b"PK\x03\x04"  # .xlsx is a zip archive
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx

# Column -> accepted header spellings, compared after normalize_word().
COLUMNS = {
    "building": ("楼栋", "楼幢", "幢", "栋", "楼号", "building"),
    "unit": ("单元", "unit"),
    "room": ("室号", "房号", "室", "门牌号", "room"),
    "kind": ("类型", "房屋类型", "kind", "type"),
    # Exclusive area only (Art. 8): a "建筑面积" column is not accepted,
    # it includes shared parts and would weigh units wrongly.
    "area": ("专有面积", "专有部分面积", "area", "exclusivearea"),
    "area_source": ("面积来源", "areasource"),
    "owner": ("业主姓名", "业主", "owner", "owners", "ownernames"),
    "id_tail": ("证件号后六位", "身份证后六位", "证件后六位", "idtail"),
    "phone": ("联系电话", "电话", "手机", "phone"),
    "note": ("备注", "note", "notes"),
    "developer_unsold": ("开发商未售", "developerunsold"),
}
REQUIRED_COLUMNS = ("building", "room", "kind", "area")
# How a column is named in messages: the sample's header and the English one.
COLUMN_TITLES = {
    "building": "楼栋 (building)",
    "unit": "单元 (unit)",
    "room": "室号 (room)",
    "kind": "类型 (kind)",
    "area": "专有面积 (area)",
    "area_source": "面积来源 (area_source)",
    "owner": "业主姓名 (owner)",
    "id_tail": "证件号后六位 (id_tail)",
    "phone": "联系电话 (phone)",
    "note": "备注 (note)",
    "developer_unsold": "开发商未售 (developer_unsold)",
}

KINDS = {
    **dict.fromkeys(("住宅", "住房", "residence", "residential"), Kind.RESIDENCE),
    **dict.fromkeys(("商铺", "商业", "shop", "commercial"), Kind.SHOP),
    **dict.fromkeys(("车位", "车库", "parking", "parkingspace", "garage"), Kind.PARKING),
}
AREA_SOURCES = {
    # An empty cell means the usual case: the registered area.
    **dict.fromkeys(("", "登记", "不动产登记", "产权登记", "registered"), AreaSource.REGISTERED),
    **dict.fromkeys(("实测", "surveyed"), AreaSource.SURVEYED),
    **dict.fromkeys(("合同", "预售合同", "销售合同", "购房合同", "contract", "salescontract"), AreaSource.CONTRACT),
}
YES = {"1", "true", "yes", "y", "是", "√", "✓"}
NO = {"", "0", "false", "no", "n", "否"}
# A note that marks a developer's unsold unit (they count as one head together).
UNSOLD_MARKERS = ("未售", "开发商", "unsold", "developer")

MAX_AREA = Decimal("100000000")  # Household.area: 10 digits, 2 decimals
# After NFKC, "㎡" and "m²" are both "m2".
AREA_SUFFIX = re.compile(r"(m2|平方米|平米)$")
TAIL_LENGTH = 6


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class RosterError(Exception):
    """A roster file that cannot be imported; `errors` lists every reason."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class RosterRow:
    """A valid roster line, as it will be stored (no ID tail: only its key)."""

    line: int
    building: str
    unit: str
    room: str
    kind: str
    area: Decimal
    area_source: str
    owner_names: str
    owner_key: str
    developer_unsold: bool
    phone: str
    note: str

    @property
    def label(self):
        return f"{self.building}{self.unit}{self.room}"

    def household_fields(self):
        return {
            "kind": self.kind,
            "area": self.area,
            "area_source": self.area_source,
            "owner_names": self.owner_names,
            "owner_key": self.owner_key,
            "developer_unsold": self.developer_unsold,
            "phone": self.phone,
            "note": self.note,
            "is_active": True,
        }


@dataclass
class RosterSummary:
    households: int
    by_kind: dict
    voting_households: int
    owner_heads: int
    voting_area: Decimal

    def kinds(self):
        """(label, count) pairs in the model's order, for display."""
        return [(kind.label, self.by_kind.get(kind.value, 0)) for kind in Kind]


@dataclass
class ImportReport:
    compound_name: str
    summary: RosterSummary
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    # The compound written to; None after a dry run (it may not exist).
    compound: Compound | None = field(default=None, repr=False)


# Reading ---------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """The file's data rows as (spreadsheet line number, {header: text}).

    The header is line 1. Fully empty rows are skipped but keep their line
    numbers counted, so errors point at the line Excel shows.
    """
    name = (filename or "").lower()
    if not data.strip():
        raise RosterError([RowError(1, _("The file is empty."))])
    if data.startswith(OLE2_MAGIC) or (name.endswith(".xls") and not data.startswith(XLSX_MAGIC)):
        raise RosterError(
            [
                RowError(
                    1,
                    _(
                        "This is an old Excel .xls workbook (or a password-protected one). "
                        "Open it in Excel or WPS and save it as .xlsx or CSV (UTF-8), then upload that."
                    ),
                )
            ]
        )
    # Detect by content, not name: browsers and chat apps rename files.
    if data.startswith(XLSX_MAGIC):
        grid = _xlsx_grid(data)
    elif name.endswith(".xlsx"):
        raise RosterError([RowError(1, _("This file is named .xlsx but is not an Excel workbook."))])
    else:
        grid = _csv_grid(data)
    return _rows(grid)


def _decode(data):
    # Excel's "Unicode text" export is UTF-16 with a BOM.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    # utf-8-sig reads UTF-8 with or without a BOM. GB18030 is a superset of
    # GBK/GB2312, which is what Excel on a Chinese-locale PC writes.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError([RowError(1, _("The file is neither an Excel .xlsx workbook nor a CSV text file."))])


def _csv_grid(data):
    text = _decode(data)
    if "\x00" in text:
        # Decodable binary junk; a real CSV never holds NUL.
        raise RosterError([RowError(1, _("The file is neither an Excel .xlsx workbook nor a CSV text file."))])
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        grid = list(islice(reader, MAX_ROWS + 2))
    except csv.Error:
        line = max(reader.line_num, 1)
        raise RosterError([RowError(line, _("The CSV file is malformed here (check the quotes)."))]) from None
    _check_row_count(grid)
    for line, cells in enumerate(grid, start=1):
        _check_cell_length(cells, line)
    return grid


def _xlsx_grid(data):
    unreadable = RosterError(
        [
            RowError(
                1, _("This workbook cannot be read. Open it in Excel or WPS and save it again as .xlsx or CSV (UTF-8).")
            )
        ]
    )
    _check_zip(data, unreadable)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException,
        # ValueError...) for a broken or non-Excel zip; all mean the same here.
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise unreadable
        sheet = workbook.worksheets[0]
        # Some generators write a wrong sheet size; read what is really there.
        sheet.reset_dimensions()
        grid = []
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            grid.append([_cell_text(value) for value in values])
            _check_row_count(grid)
            _check_cell_length(grid[-1], len(grid))
        return grid
    except RosterError:
        raise
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()


def _check_zip(data, unreadable):
    """Refuse a workbook that unpacks to far more than a roster (a zip bomb)."""
    too_big = RosterError(
        [
            RowError(
                1,
                _(
                    "This workbook unpacks to far more data than a roster holds (a part of it over %(mb)d MB, "
                    "or packed suspiciously tightly). Nothing was imported. Check that it is the right file, "
                    "or save it as CSV (UTF-8) and upload that."
                )
                % {"mb": MAX_XLSX_MEMBER_BYTES // (1024 * 1024)},
            )
        ]
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:
        raise unreadable from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise too_big
    declared = 0
    for info in members:
        declared += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > MAX_XLSX_MEMBER_BYTES
            or declared > MAX_XLSX_TOTAL_BYTES
            or (info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_XLSX_RATIO)
        ):
            raise too_big
    # The sizes above are what the archive says; read every member, with a
    # cap, to be sure of what it holds (zipfile also checks each CRC).
    total = 0
    try:
        with archive:
            for info in members:
                size = 0
                with archive.open(info) as member:
                    while chunk := member.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > MAX_XLSX_MEMBER_BYTES or total > MAX_XLSX_TOTAL_BYTES:
                            raise too_big
    except RosterError:
        raise
    except Exception:
        raise unreadable from None


def _check_cell_length(cells, line):
    """A cell longer than any roster needs: refused with its line."""
    for text in cells:
        if len(text) > MAX_CELL_CHARS:
            raise RosterError(
                [
                    RowError(
                        line,
                        _("A cell holds more than %(max)d characters; no roster field is that long.")
                        % {"max": MAX_CELL_CHARS},
                    )
                ]
            )


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: room 101 arrives as 101.0.
        # repr is the shortest text that reads back the same float (60.13,
        # not 60.1299999...); Decimal then parses it exactly.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _check_row_count(grid):
    if len(grid) > MAX_ROWS + 1:
        raise RosterError([RowError(MAX_ROWS + 2, _("The file has more than %(max)d rows.") % {"max": MAX_ROWS})])


def _rows(grid):
    if not grid:
        raise RosterError([RowError(1, _("The file is empty."))])
    headers = [cell.strip() for cell in grid[0]]
    seen = set()
    for header in headers:
        if header and header in seen:
            raise RosterError([RowError(1, _("Column “%(column)s” appears twice.") % {"column": _quote(header)})])
        seen.add(header)
    rows = []
    for line, cells in enumerate(grid[1:], start=2):
        # Cells under an empty header are ignored (a row number column, a sum).
        row = {header: (cells[i].strip() if i < len(cells) else "") for i, header in enumerate(headers) if header}
        if any(row.values()):
            rows.append((line, row))
    return rows


# Validating ------------------------------------------------------------------


def normalize_word(text):
    """Headers and values compared loosely: case, width, spaces, _ and -, a
    trailing unit in brackets (专有面积（㎡）), a required-mark asterisk."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s_\-*:]+", "", text)


HEADER_ALIASES = {normalize_word(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def _map_columns(headers):
    """{column: header as written}, and the header errors (line 1)."""
    columns, errors = {}, []
    for header in headers:
        column = HEADER_ALIASES.get(normalize_word(header))
        if column is None:
            continue  # extra columns (序号, 楼层...) are allowed and ignored
        if column in columns:
            errors.append(
                RowError(
                    1,
                    _("Columns “%(first)s” and “%(second)s” both mean %(column)s.")
                    % {
                        "first": _quote(columns[column]),
                        "second": _quote(header),
                        "column": COLUMN_TITLES[column],
                    },
                )
            )
            continue
        columns[column] = header
    missing = [COLUMN_TITLES[column] for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        errors.append(RowError(1, _("Missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}))
    return columns, errors


def validate(rows: list[tuple[int, dict]]) -> tuple[list[RosterRow], list[RowError]]:
    """(valid RosterRows, RowErrors): every problem of every row, in line order.

    The file is importable only when the error list is empty."""
    if not rows:
        return [], [RowError(1, _("The file has no households."))]
    columns, errors = _map_columns(rows[0][1].keys())
    if errors:
        return [], errors
    clean, first_line = [], {}
    for line, raw in rows:
        cells = {column: raw.get(header, "") for column, header in columns.items()}
        row, row_errors = _clean_row(line, cells)
        # Checked even when the row has other errors, so one pass shows all.
        place = tuple(_text(cells.get(column)) for column in ("building", "unit", "room"))
        if place[0] and place[2]:
            earlier = first_line.setdefault(place, line)
            if earlier != line:
                row_errors.append(
                    RowError(
                        line,
                        _("Duplicate household: %(label)s is already on line %(earlier)d.")
                        % {
                            "label": "".join(place),
                            "earlier": earlier,
                        },
                    )
                )
        if row_errors:
            errors.extend(row_errors)
        else:
            clean.append(row)
    return clean, errors


def _clean_row(line, cells):
    """(RosterRow or None, errors) for one line; checks every field."""
    errors = []

    def error(message):
        errors.append(RowError(line, message))

    building = _text(cells.get("building"))
    unit = _text(cells.get("unit"))
    room = _text(cells.get("room"))
    if not building:
        error(_("The building (楼栋) is missing."))
    if not room:
        error(_("The room number (室号) is missing."))

    kind_text = _text(cells.get("kind"))
    kind = KINDS.get(normalize_word(kind_text))
    if not kind_text:
        error(_("The kind (类型) is missing: use 住宅 (residence), 商铺 (shop) or 车位 (parking)."))
    elif kind is None:
        error(
            _("Unknown kind “%(kind)s”: use 住宅 (residence), 商铺 (shop) or 车位 (parking).")
            % {"kind": _quote(kind_text)}
        )

    area, area_error = _parse_area(_text(cells.get("area")))
    if area_error:
        error(area_error)

    source_text = _text(cells.get("area_source"))
    area_source = AREA_SOURCES.get(normalize_word(source_text))
    if area_source is None:
        error(
            _("Unknown area source “%(source)s”: use 登记 (registered), 实测 (surveyed) or 合同 (contract).")
            % {"source": _quote(source_text)}
        )

    names = split_names(cells.get("owner"))
    tail = normalize_tail(cells.get("id_tail"))
    if tail.isdigit() and len(tail) < TAIL_LENGTH:
        # Excel drops leading zeros of a number: 048845 comes back as 48845.
        tail = tail.zfill(TAIL_LENGTH)
    if tail and not (len(tail) == TAIL_LENGTH and tail.isalnum() and tail.isascii()):
        # Never quote the value: it is (part of) an identity number.
        error(_("The ID tail (证件号后六位) must be the last 6 characters of the ID number."))

    note = (cells.get("note") or "").strip()
    unsold_text = _text(cells.get("developer_unsold"))
    unsold_word = normalize_word(unsold_text)
    if unsold_word not in YES | NO:
        error(
            _("Unknown value “%(value)s” for developer unsold: use 是 (yes) or 否 (no).")
            % {"value": _quote(unsold_text)}
        )
    developer_unsold = unsold_word in YES or any(marker in note.lower() for marker in UNSOLD_MARKERS)

    values = {
        "building": building,
        "unit": unit,
        "room": room,
        "owner_names": "、".join(names),
        "phone": (cells.get("phone") or "").strip(),
        "note": note,
    }
    for name, value in values.items():
        limit = _max_length(name)
        if len(value) > limit:
            error(
                _("%(field)s is too long (at most %(max)d characters).") % {"field": _field_title(name), "max": limit}
            )

    if errors:
        return None, errors
    return RosterRow(
        line=line,
        kind=kind,
        area=area,
        area_source=area_source,
        owner_key=owner_key(values["owner_names"], tail),
        developer_unsold=developer_unsold,
        **values,
    ), []


def _parse_area(text):
    """(Decimal area, None) or (None, error message)."""
    if not text:
        return None, _("The exclusive area (专有面积) is missing.")
    cleaned = AREA_SUFFIX.sub("", re.sub(r"[\s,]+", "", _text(text).lower()))
    try:
        area = Decimal(cleaned)
    except InvalidOperation:
        area = None
    if area is None or not area.is_finite():
        return None, _("The area “%(area)s” is not a number.") % {"area": _quote(text)}
    if area >= MAX_AREA:
        return None, _("The area “%(area)s” is too large.") % {"area": _quote(text)}
    area = electorate.round_area(area)
    if area <= 0:
        return None, _("The area must be greater than zero.")
    return area, None


def _text(value):
    # NFKC: full-width digits and letters typed with a Chinese IME (１幢) match.
    return unicodedata.normalize("NFKC", value or "").strip()


def _quote(text, limit=30):
    """A cell's text for a message, cut short (a junk file has long cells)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _max_length(name):
    if name == "building":
        return Building._meta.get_field("name").max_length
    if name == "unit":
        return BuildingUnit._meta.get_field("name").max_length
    return Household._meta.get_field(name).max_length


def _field_title(name):
    titles = {
        "building": "building",
        "unit": "unit",
        "room": "room",
        "owner_names": "owner",
        "phone": "phone",
        "note": "note",
    }
    return COLUMN_TITLES[titles[name]]


# Summaries -------------------------------------------------------------------


def _summarize(households):
    """RosterSummary of (key, kind, area, owner_key, developer_unsold) tuples."""
    by_kind = dict.fromkeys(Kind.values, 0)
    voters = []
    for key, kind, area, key_of_owner, developer_unsold in households:
        by_kind[kind] = by_kind.get(kind, 0) + 1
        # Parking spaces are left out of voting (local practice; Household.votes).
        if kind != Kind.PARKING:
            voters.append(
                electorate.Unit(key=str(key), area=area, owner_key=key_of_owner, developer_unsold=developer_unsold)
            )
    voting = electorate.summarize(voters)
    return RosterSummary(
        households=sum(by_kind.values()),
        by_kind=by_kind,
        voting_households=voting.households,
        owner_heads=voting.heads,
        voting_area=voting.area,
    )


def file_summary(rows: list[RosterRow]) -> RosterSummary:
    return _summarize((row.label, row.kind, row.area, row.owner_key, row.developer_unsold) for row in rows)


def compound_summary(compound: Compound) -> RosterSummary:
    """The same summary for a compound's active households, from the database."""
    rows = compound.households.filter(is_active=True).values_list("pk", "kind", "area", "owner_key", "developer_unsold")
    return _summarize(rows)


# Importing -------------------------------------------------------------------


def parse_roster(data: bytes, filename: str) -> list[RosterRow]:
    """The file's valid rows; raises RosterError listing every problem."""
    rows, errors = validate(read_table(data, filename))
    if errors:
        raise RosterError(errors)
    return rows
