"""One rounding for a printed area: half up (四舍五入), wherever it is printed.

Issue 11: the yes/no tally printed 2.345 m² as 2.35 and the options count as
2.34 (half even). Both now go through compounds.electorate.round_area.
"""

from decimal import Decimal

from compounds.electorate import Unit, format_area, round_area
from voting import tally
from voting.options import count_options


def test_half_up_not_half_even():
    assert round_area(Decimal("2.345")) == Decimal("2.35")
    assert round_area(Decimal("2.335")) == Decimal("2.34")
    assert round_area(Decimal("-0.005")) == Decimal("-0.01")
    assert format_area(Decimal("2.345")) == "2.35"
    assert format_area(Decimal("0")) == "0.00"
    assert format_area(Decimal("1E+2")) == "100.00"


def test_the_tally_and_the_options_count_print_the_same_area():
    units = [Unit(key="a", area=Decimal("2.345"))]
    yes_no = tally.count(tally.SIMPLE_MAJORITY, units, {"a": tally.FOR}).as_json_dict()
    options = count_options(units, {"a": ["x"]}, ["x"], approval=False).as_json_dict()
    assert yes_no["electorate"]["area"] == options["electorate"]["area"] == "2.35"
    assert options["options"][0]["area"] == "2.35"
