"""Who counts, and how much: owner heads and exclusive area of a set of units.

Pure Python (no ORM, no Django) so the rules can be tested exhaustively and
reused by every tally.

The law is the Supreme People's Court interpretation on building
distinguished ownership, 法释〔2009〕7号 (amended 2020):

- Art. 8, area: a unit weighs its exclusive area (registered, else surveyed,
  else the sales contract; the caller supplies the right figure). An owner of
  several units weighs the sum of their areas.
- Art. 9, headcount: one exclusive unit counts as one owner; an owner of
  several units counts once; all of the developer's unsold units together
  count once. Co-owners of one unit are one owner.

Which units form the electorate (whole compound, one building, one building
unit; parking left out) is the caller's choice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEVELOPER_HEAD = "developer"
AREA_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    """One exclusive unit (a household).

    key: any stable id or label of the unit, unique within one electorate.
    owner_key: equal keys mean the same owner; "" means the owner is unknown.
    """

    key: str
    area: Decimal
    owner_key: str = ""
    developer_unsold: bool = False

    def __post_init__(self):
        # Area thresholds (2/3, 3/4, > 1/2) are compared exactly; a float
        # would make 2/3 of 30,000.00 m² depend on rounding.
        if not isinstance(self.area, Decimal):
            raise TypeError(f"Unit.area must be a Decimal, not {type(self.area).__name__}")


@dataclass(frozen=True)
class Summary:
    households: int
    heads: int
    area: Decimal


def head_of(unit: Unit) -> str:
    """The owner head a unit counts toward (Art. 9)."""
    if unit.developer_unsold:
        return DEVELOPER_HEAD
    if not unit.owner_key:
        # Unknown owner: one unit, one owner.
        return f"unit:{unit.key}"
    return f"owner:{unit.owner_key}"


def heads(units: Iterable[Unit]) -> set[str]:
    """The distinct owner heads of some units."""
    return {head_of(unit) for unit in units}


def total_area(units: Iterable[Unit]) -> Decimal:
    """Exact sum of exclusive areas (Art. 8)."""
    return sum((unit.area for unit in units), Decimal("0"))


def summarize(units: Iterable[Unit]) -> Summary:
    units = list(units)
    return Summary(households=len(units), heads=len(heads(units)), area=total_area(units))


def round_area(area: Decimal) -> Decimal:
    """An area to two places, half up (四舍五入: 2.345 m² is 2.35).

    The one rounding of an area: the roster stores areas so, and every printed
    area (certificate, live count, command line) goes through here, so that no
    two of them disagree by a cent. Thresholds compare exact values, never these.
    """
    return area.quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def format_area(area: Decimal) -> str:
    """An area as round_area gives it, as plain digits: "2.35", "0.00"."""
    return f"{round_area(area):f}"
