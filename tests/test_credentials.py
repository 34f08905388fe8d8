"""Household credentials: issue, re-issue, revoke, look up (compounds.credentials)."""

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from compounds import credentials
from compounds.actions import issue_missing_codes, reissue_code, revoke_code
from compounds.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Building,
    BuildingUnit,
    Compound,
    Credential,
    Household,
    format_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("worker", password="pw-not-used-123")


@pytest.fixture
def compound():
    compound = Compound.objects.create(name="和睦小区")
    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name="3幢"), name="2单元")
    for room in ("501", "502", "601"):
        Household.objects.create(compound=compound, unit=unit, room=room, area=Decimal("88.50"))
    garage = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name="车库"), name="")
    Household.objects.create(
        compound=compound, unit=garage, room="P001", area=Decimal("12.00"), kind=Household.Kind.PARKING
    )
    Household.objects.create(compound=compound, unit=unit, room="602", area=Decimal("90"), is_active=False)
    return compound


def household(compound, room):
    return Household.objects.get(compound=compound, room=room)


def test_issue_missing_is_idempotent(compound, user):
    assert issue_missing_codes(compound, user) == 3
    assert issue_missing_codes(compound, user) == 0
    assert Credential.objects.count() == 3
    assert set(Credential.objects.values_list("issued_by", flat=True)) == {user.pk}


def test_issue_missing_fills_only_the_gaps(compound, user):
    issue_missing_codes(compound, user)
    before = credentials.active_credential(household(compound, "501")).code
    revoke_code(household(compound, "502"), user)
    assert issue_missing_codes(compound, user) == 1
    assert credentials.active_credential(household(compound, "501")).code == before
    assert credentials.active_credential(household(compound, "502")) is not None


def test_parking_and_retired_households_get_no_code(compound, user):
    issue_missing_codes(compound, user)
    assert credentials.active_credential(household(compound, "P001")) is None
    assert credentials.active_credential(household(compound, "602")) is None
    with pytest.raises(credentials.CredentialError):
        reissue_code(household(compound, "P001"), user)
    with pytest.raises(credentials.CredentialError):
        reissue_code(household(compound, "602"), user)
    assert not Credential.objects.filter(household__room__in=["P001", "602"]).exists()


def test_issue_missing_stays_in_its_compound(compound, user):
    other = Compound.objects.create(name="其他小区")
    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=other, name="1幢"), name="1单元")
    Household.objects.create(compound=other, unit=unit, room="101", area=Decimal("50"))
    assert issue_missing_codes(compound, user) == 3
    assert not Credential.objects.filter(household__compound=other).exists()


def test_codes_use_the_alphabet_and_length(compound, user):
    issue_missing_codes(compound, user)
    for code in Credential.objects.values_list("code", flat=True):
        assert len(code) == CODE_LENGTH == 8
        assert set(code) <= set(CODE_ALPHABET)


def test_credential_for_code_accepts_typed_forms(compound, user):
    issue_missing_codes(compound, user)
    credential = credentials.active_credential(household(compound, "501"))
    assert credentials.credential_for_code(credential.code) == credential
    assert credentials.credential_for_code(format_code(credential.code).lower()) == credential
    assert credentials.credential_for_code(" " + format_code(credential.code) + " ") == credential
    assert credentials.credential_for_code("") is None
    assert credentials.credential_for_code(None) is None
    assert credentials.credential_for_code(credential.code[:-1]) is None
    assert credentials.credential_for_code("00000000") is None


def test_reissue_revokes_the_old_code(compound, user):
    issue_missing_codes(compound, user)
    h = household(compound, "502")
    old = credentials.active_credential(h)
    new = reissue_code(h, user)
    assert new.code != old.code
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == user
    assert credentials.credential_for_code(old.code) is None
    assert credentials.credential_for_code(new.code) == new
    assert credentials.active_credential(h) == new
    assert Credential.objects.filter(household=h).count() == 2


def test_reissue_without_a_code_issues_one(compound, user):
    h = household(compound, "601")
    credential = reissue_code(h, user)
    assert credentials.active_credential(h) == credential


def test_revoke(compound, user):
    issue_missing_codes(compound, user)
    h = household(compound, "501")
    code = credentials.active_credential(h).code
    revoked = revoke_code(h, user)
    assert revoked.code == code and revoked.revoked_by == user
    assert credentials.active_credential(h) is None
    assert credentials.credential_for_code(code) is None
    assert revoke_code(h, user) is None


def test_retired_household_code_stops_resolving(compound, user):
    issue_missing_codes(compound, user)
    h = household(compound, "501")
    code = credentials.active_credential(h).code
    h.is_active = False
    h.save()
    assert credentials.credential_for_code(code) is None


def test_database_refuses_two_active_credentials(compound, user):
    h = household(compound, "501")
    Credential.objects.create(household=h)
    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.create(household=h)


def test_a_revoked_credential_does_not_block_a_new_one(compound, user):
    from django.utils import timezone

    h = household(compound, "501")
    Credential.objects.create(household=h, revoked_at=timezone.now())
    Credential.objects.create(household=h)
    assert Credential.objects.filter(household=h).count() == 2


def test_code_collision_is_retried(compound, user):
    taken = Credential.objects.create(household=household(compound, "501")).code
    codes = iter([taken, taken, "KMNPQRTU", "VWXY3467"])
    with mock.patch("compounds.actions.new_code", side_effect=lambda: next(codes)) as drawn:
        assert issue_missing_codes(compound, user) == 2
    assert drawn.call_count == 4
    assert set(Credential.objects.values_list("code", flat=True)) == {taken, "KMNPQRTU", "VWXY3467"}
