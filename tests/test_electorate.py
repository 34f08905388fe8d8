"""Owner heads and exclusive area (compounds.electorate), the counting rules of
SPC interpretation 法释〔2009〕7号 (amended 2020): Art. 8 (area), Art. 9 (heads)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compounds.electorate import DEVELOPER_HEAD, Summary, Unit, head_of, heads, summarize, total_area


def unit(key, area="80.00", owner="", developer=False):
    return Unit(key=key, area=Decimal(area), owner_key=owner, developer_unsold=developer)


def test_art9_one_unit_one_owner():
    units = [unit("101", owner="a"), unit("102", owner="b"), unit("201", owner="c")]
    assert summarize(units) == Summary(households=3, heads=3, area=Decimal("240.00"))


def test_art9_owner_of_several_units_counts_once_art8_areas_still_add_up():
    units = [unit("101", "60.13", owner="zhou"), unit("302", "93.71", owner="zhou"), unit("401", "42.71", owner="zhou")]
    summary = summarize(units)
    assert summary.households == 3
    assert summary.heads == 1
    assert summary.area == Decimal("196.55")


def test_art9_all_developer_unsold_units_count_once_together():
    # Even with different owner keys (several project companies, or none).
    units = [unit("1", owner="dev1", developer=True), unit("2", developer=True), unit("3", owner="x", developer=True)]
    assert {head_of(u) for u in units} == {DEVELOPER_HEAD}
    assert summarize(units + [unit("4", owner="a")]).heads == 2


def test_art9_unknown_owner_counts_as_its_own_head():
    # Without an owner key we cannot merge: one unit, one owner.
    units = [unit("101"), unit("102")]
    assert head_of(units[0]) == "unit:101"
    assert summarize(units).heads == 2


def test_head_of_known_owner_is_keyed_by_owner():
    assert head_of(unit("101", owner="abc")) == "owner:abc"
    assert head_of(unit("101", owner="abc")) == head_of(unit("999", owner="abc"))


def test_art8_area_is_summed_exactly_as_decimal():
    units = [unit(str(i), "0.10") for i in range(3)]
    assert total_area(units) == Decimal("0.30")  # 0.1 + 0.1 + 0.1 != 0.3 in floats


def test_float_area_is_refused():
    with pytest.raises(TypeError):
        Unit(key="101", area=80.5)


def test_empty_electorate():
    assert summarize([]) == Summary(households=0, heads=0, area=Decimal("0"))


def test_domain_worked_example_300_units_one_owner_with_11_is_290_heads():
    units = [unit(f"u{i}", "100.00", owner="big" if i < 11 else f"o{i}") for i in range(300)]
    assert summarize(units) == Summary(households=300, heads=290, area=Decimal("30000.00"))


def test_summarize_accepts_any_iterable():
    assert summarize(unit(str(i), owner="a") for i in range(4)).heads == 1


owners = st.sampled_from(["", "a", "b", "c"])
units_strategy = st.lists(
    st.builds(
        lambda i, cents, owner, dev: Unit(key=str(i), area=Decimal(cents) / 100, owner_key=owner, developer_unsold=dev),
        st.integers(0, 10_000),
        st.integers(1, 10_000_00),
        owners,
        st.booleans(),
    ),
    max_size=30,
    unique_by=lambda u: u.key,
)


@given(units_strategy)
def test_art9_heads_never_exceed_units_and_art8_area_is_the_sum(units):
    summary = summarize(units)
    assert summary.households == len(units)
    assert (summary.heads >= 1) == bool(units)
    assert summary.heads <= summary.households
    assert summary.area == sum((u.area for u in units), Decimal(0))
    # Heads only merge on a shared owner key or the developer's unsold units.
    expected = len({u.owner_key for u in units if u.owner_key and not u.developer_unsold})
    expected += sum(1 for u in units if not u.owner_key and not u.developer_unsold)
    expected += any(u.developer_unsold for u in units)
    assert summary.heads == expected == len(heads(units))
