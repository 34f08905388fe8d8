"""Staff screens for household credentials (compounds.views_credentials)."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from compounds import credentials
from compounds.actions import issue_missing_codes, revoke_code
from compounds.models import Building, BuildingUnit, Compound, Credential, Household, StaffRole, format_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound():
    compound = Compound.objects.create(name="和睦小区")
    for b in ("3幢", "10幢"):
        unit = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name=b), name="2单元")
        for room in ("501", "502"):
            Household.objects.create(compound=compound, unit=unit, room=room, area=Decimal("88"))
    garage = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name="车库"), name="")
    Household.objects.create(
        compound=compound, unit=garage, room="P001", area=Decimal("12"), kind=Household.Kind.PARKING
    )
    return compound


@pytest.fixture
def worker(compound):
    user = get_user_model().objects.create_user("worker", password="pw-not-used-123")
    StaffRole.objects.create(user=user, compound=compound, role="worker")
    return user


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


def url(name, compound, **kwargs):
    return reverse(name, kwargs={"compound_id": compound.pk, **kwargs})


def snapshot():
    return sorted(Credential.objects.values_list("pk", "code", "revoked_at"))


def voting(compound):
    return Household.objects.filter(compound=compound).exclude(kind=Household.Kind.PARKING)


def test_anonymous_goes_to_login(client, compound):
    for name in ("credential_list", "credential_slips"):
        response = client.get(url(name, compound))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(url("credential_issue_missing", compound))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Credential.objects.count() == 0


@pytest.mark.parametrize("role", [None, "observer", "secretary"])
def test_staff_without_roster_role_is_refused(client, compound, role):
    user = get_user_model().objects.create_user("someone", password="pw-not-used-123")
    if role:
        StaffRole.objects.create(user=user, compound=compound, role=role)
    client.force_login(user)
    h = voting(compound).first()
    assert client.get(url("credential_list", compound)).status_code == 403
    assert client.get(url("credential_slips", compound)).status_code == 403
    assert client.post(url("credential_issue_missing", compound)).status_code == 403
    assert client.post(url("credential_reissue", compound, household_id=h.pk)).status_code == 403
    assert client.post(url("credential_revoke", compound, household_id=h.pk)).status_code == 403
    assert Credential.objects.count() == 0


def test_worker_of_another_compound_is_refused(client, compound):
    other = Compound.objects.create(name="其他小区")
    user = get_user_model().objects.create_user("elsewhere", password="pw-not-used-123")
    StaffRole.objects.create(user=user, compound=other, role="worker")
    client.force_login(user)
    assert client.get(url("credential_list", compound)).status_code == 403
    assert client.post(url("credential_issue_missing", compound)).status_code == 403


def test_household_of_another_compound_is_not_found(worker_client, compound, worker):
    other = Compound.objects.create(name="其他小区")
    StaffRole.objects.create(user=worker, compound=other, role="worker")
    h = voting(compound).first()
    assert worker_client.post(url("credential_reissue", other, household_id=h.pk)).status_code == 404
    assert worker_client.post(url("credential_revoke", other, household_id=h.pk)).status_code == 404
    assert Credential.objects.count() == 0


def test_worker_issues_codes(worker_client, compound, worker):
    list_url = url("credential_list", compound)
    response = worker_client.get(list_url)
    assert response.status_code == 200
    assert "3幢2单元501" in response.content.decode()
    assert "车库P001" not in response.content.decode()

    response = worker_client.post(url("credential_issue_missing", compound), follow=True)
    assert response.redirect_chain[-1][0] == list_url
    assert Credential.objects.filter(revoked_at__isnull=True).count() == 4
    assert not Credential.objects.filter(household__kind=Household.Kind.PARKING).exists()
    page = response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    for credential in Credential.objects.all():
        assert credential.issued_by == worker
        assert format_code(credential.code) in page

    # A second press issues nothing and says so.
    response = worker_client.post(url("credential_issue_missing", compound), follow=True)
    assert Credential.objects.count() == 4
    assert [m.level_tag for m in response.context["messages"]] == ["info"]


def test_issue_needs_post_and_csrf(compound, worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    assert client.get(url("credential_issue_missing", compound)).status_code == 405
    assert client.post(url("credential_issue_missing", compound)).status_code == 403
    assert Credential.objects.count() == 0


def test_slips_page(worker_client, compound, worker):
    issue_missing_codes(compound, worker)
    response = worker_client.get(url("credential_slips", compound))
    assert response.status_code == 200
    page = response.content.decode()
    for h in voting(compound).select_related("unit__building"):
        credential = credentials.active_credential(h)
        assert h.label in page
        assert format_code(credential.code) in page
        assert f"http://testserver/h/{credential.code}/" in page
    assert page.count('class="slip"') == 4
    assert page.count('src="data:image/svg+xml') == 4
    assert "车库P001" not in page
    assert response.context["missing"] == 0


def test_slips_qr_encodes_the_household_link(worker_client, compound, worker):
    from urllib.parse import unquote

    issue_missing_codes(compound, worker)
    h = voting(compound).first()
    response = worker_client.get(url("credential_slips", compound) + f"?household={h.pk}")
    page = response.content.decode()
    assert page.count('class="slip"') == 1
    uri = re.search(r'src="(data:image/svg\+xml[^"]+)"', page).group(1)
    svg = unquote(uri.split(",", 1)[1])
    assert svg.startswith("<svg") and "viewBox" in svg
    # The same link, encoded by segno, gives the same picture.
    from compounds.views_credentials import qr_data_uri

    code = credentials.active_credential(h).code
    assert uri.replace("&amp;", "&") == qr_data_uri(f"http://testserver/h/{code}/")


def test_slips_filter_by_building_and_missing_count(worker_client, compound, worker):
    issue_missing_codes(compound, worker)
    b10 = Building.objects.get(compound=compound, name="10幢")
    revoke_code(voting(compound).filter(unit__building=b10).first(), worker)
    response = worker_client.get(url("credential_slips", compound) + f"?building={b10.pk}")
    page = response.content.decode()
    assert page.count('class="slip"') == 1
    assert "3幢2单元" not in page.split('class="sheet"', 1)[1]
    assert response.context["missing"] == 1
    assert url("credential_list", compound) in page

    other = Compound.objects.create(name="其他小区")
    foreign = Building.objects.create(compound=other, name="1幢")
    assert worker_client.get(url("credential_slips", compound) + f"?building={foreign.pk}").status_code == 404
    assert worker_client.get(url("credential_slips", compound) + "?building=x").status_code == 404


def test_slips_page_has_ten_slips_per_page(worker_client, compound, worker):
    unit = BuildingUnit.objects.get(building__name="3幢")
    for room in range(1, 20):
        Household.objects.create(compound=compound, unit=unit, room=f"{room}03", area=Decimal("70"))
    issue_missing_codes(compound, worker)
    response = worker_client.get(url("credential_slips", compound))
    assert [len(page) for page in response.context["pages"]] == [10, 10, 3]


def test_reissue_changes_the_code_shown(worker_client, compound, worker):
    issue_missing_codes(compound, worker)
    h = voting(compound).first()
    old = credentials.active_credential(h)
    reissue_url = url("credential_reissue", compound, household_id=h.pk)

    # The confirm page says the old slip stops working and changes nothing.
    before = snapshot()
    response = worker_client.get(reissue_url)
    assert response.status_code == 200
    assert old.display_code in response.content.decode()
    assert snapshot() == before

    response = worker_client.post(reissue_url, follow=True)
    new = credentials.active_credential(h)
    assert new.code != old.code
    page = response.content.decode()
    assert new.display_code in page
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    slips = worker_client.get(url("credential_slips", compound) + f"?household={h.pk}").content.decode()
    assert new.display_code in slips and old.display_code not in slips
    assert credentials.credential_for_code(old.code) is None


def test_reissue_refuses_a_parking_space(worker_client, compound):
    parking = Household.objects.get(compound=compound, kind=Household.Kind.PARKING)
    response = worker_client.post(url("credential_reissue", compound, household_id=parking.pk), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Credential.objects.count() == 0


def test_revoke(worker_client, compound, worker):
    issue_missing_codes(compound, worker)
    h = voting(compound).first()
    old = credentials.active_credential(h)
    revoke_url = url("credential_revoke", compound, household_id=h.pk)
    before = snapshot()
    assert worker_client.get(revoke_url).status_code == 200
    assert snapshot() == before
    worker_client.post(revoke_url)
    assert credentials.active_credential(h) is None
    old.refresh_from_db()
    assert old.revoked_by == worker
    response = worker_client.get(url("credential_slips", compound))
    assert response.context["missing"] == 1
    # Only the flash message still names the old code, not the sheet.
    assert old.display_code not in response.content.decode().split("<main>", 1)[1]


def test_get_never_changes_anything(worker_client, compound, worker):
    issue_missing_codes(compound, worker)
    revoke_code(voting(compound).first(), worker)
    h = voting(compound).last()
    before = snapshot()
    for target in (
        url("credential_list", compound),
        url("credential_slips", compound),
        url("credential_slips", compound) + f"?household={h.pk}",
        url("credential_reissue", compound, household_id=h.pk),
        url("credential_revoke", compound, household_id=h.pk),
        url("credential_issue_missing", compound),
    ):
        assert worker_client.get(target).status_code in (200, 405)
    assert snapshot() == before


def test_superuser_may_use_every_compound(client, compound):
    admin = get_user_model().objects.create_superuser("admin", password="pw-not-used-123")
    client.force_login(admin)
    assert client.get(url("credential_list", compound)).status_code == 200
    client.post(url("credential_issue_missing", compound))
    assert Credential.objects.count() == 4
