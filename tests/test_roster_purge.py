"""Unconfirmed roster uploads (they hold ID-number tails) lose their content
at expiry, without waiting for another upload."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compounds import housekeeping
from compounds.models import Compound, RosterUpload
from compounds.views_roster import UPLOAD_TTL
from tests.conftest import make_staff

CONTENT = b"building,room,id_tail\n1,101,123456\n"


@pytest.fixture
def uploads(compound):
    """An expired and a fresh unconfirmed upload, here and in another compound."""
    other = Compound.objects.create(name="别的小区")
    old = timezone.now() - UPLOAD_TTL - timezone.timedelta(minutes=1)
    made = {}
    for name, where, created in (
        ("expired", compound, old),
        ("fresh", compound, timezone.now()),
        ("elsewhere", other, old),
    ):
        made[name] = RosterUpload.objects.create(
            compound=where, filename=f"{name}.csv", content=CONTENT, sha256="x", created_at=created
        )
    return made


def contents(uploads):
    return {name: bytes(RosterUpload.objects.get(pk=u.pk).content) for name, u in uploads.items()}


def test_the_command_purges_every_expired_upload(uploads):
    call_command("purge_roster_uploads", verbosity=0)
    assert contents(uploads) == {"expired": b"", "fresh": CONTENT, "elsewhere": b""}
    # The record of what was uploaded stays.
    assert RosterUpload.objects.count() == 3


def test_opening_the_roster_page_purges_expired_uploads(client, compound, uploads):
    client.force_login(make_staff(compound, "wk", "worker"))
    assert client.get(reverse("roster", kwargs={"compound_id": compound.pk})).status_code == 200
    assert contents(uploads)["expired"] == b""
    assert contents(uploads)["fresh"] == CONTENT


def test_opening_the_credentials_page_purges_expired_uploads(client, compound, uploads):
    client.force_login(make_staff(compound, "wk", "worker"))
    assert client.get(reverse("credential_list", kwargs={"compound_id": compound.pk})).status_code == 200
    assert contents(uploads)["expired"] == b""


def test_an_expired_preview_says_so(client, compound, uploads):
    client.force_login(make_staff(compound, "wk", "worker"))
    url = reverse("roster_preview", kwargs={"compound_id": compound.pk, "upload_id": uploads["expired"].pk})
    assert "expired" in client.get(url).content.decode()
    assert contents(uploads)["expired"] == b""


def test_the_server_purges_on_its_own_while_it_answers_any_request(client, uploads, settings, monkeypatch):
    settings.ROSTER_PURGE_SECONDS = 60
    monkeypatch.setattr(housekeeping, "_last_run", None)
    client.get(reverse("home"))  # any page, anyone: no roster page, no upload
    assert contents(uploads) == {"expired": b"", "fresh": CONTENT, "elsewhere": b""}


def test_the_server_purges_at_most_every_interval(client, compound, uploads, settings, monkeypatch):
    settings.ROSTER_PURGE_SECONDS = 60
    monkeypatch.setattr(housekeeping, "_last_run", None)
    client.get(reverse("home"))
    late = RosterUpload.objects.create(
        compound=compound, filename="late.csv", content=CONTENT, sha256="x", created_at=uploads["expired"].created_at
    )
    client.get(reverse("home"))  # within the interval: nothing done
    assert bytes(RosterUpload.objects.get(pk=late.pk).content) == CONTENT
    monkeypatch.setattr(housekeeping, "_last_run", housekeeping._last_run - 61)
    client.get(reverse("home"))
    assert bytes(RosterUpload.objects.get(pk=late.pk).content) == b""
