"""Staff roster screens (compounds.views_roster): list, upload -> preview -> confirm."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compounds import views_roster
from compounds.models import Compound, Household, RosterUpload, StaffRole

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).parent / "data" / "roster-sample.csv").read_bytes()


@pytest.fixture
def compound():
    return Compound.objects.create(name="青梧苑")


def make_user(username, compound=None, role=None, **extra):
    user = get_user_model().objects.create_user(username, password="pw-not-used-123", **extra)
    if role:
        StaffRole.objects.create(user=user, compound=compound, role=role)
    return user


@pytest.fixture
def en_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def worker_client(en_client, compound):
    en_client.force_login(make_user("worker", compound, StaffRole.Role.WORKER))
    return en_client


def roster_url(compound):
    return reverse("roster", kwargs={"compound_id": compound.pk})


def upload(client, compound, data=SAMPLE, name="roster.csv", **kwargs):
    return client.post(roster_url(compound), {"file": SimpleUploadedFile(name, data)}, **kwargs)


def confirm(client, compound, roster_upload, sha256=None):
    url = reverse("roster_confirm", kwargs={"compound_id": compound.pk, "upload_id": roster_upload.pk})
    return client.post(url, {"sha256": sha256 or roster_upload.sha256}, follow=True)


def without_line(data, text):
    return b"\n".join(line for line in data.split(b"\n") if text.encode() not in line)


def test_anonymous_goes_to_login(client, compound):
    for response in (client.get(roster_url(compound)), upload(client, compound), client.get(reverse("roster_new"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert RosterUpload.objects.count() == 0


def test_staff_without_a_roster_role_is_refused(client, compound):
    client.force_login(make_user("observer", compound, StaffRole.Role.OBSERVER))
    assert client.get(roster_url(compound)).status_code == 403
    assert upload(client, compound).status_code == 403
    assert client.get(reverse("roster_new")).status_code == 403  # superusers only
    other = Compound.objects.create(name="别的小区")
    client.force_login(make_user("outsider", other, StaffRole.Role.WORKER))
    assert client.get(roster_url(compound)).status_code == 403
    assert RosterUpload.objects.count() == 0


def test_upload_preview_confirm(worker_client, compound):
    response = upload(worker_client, compound)
    roster_upload = RosterUpload.objects.get()
    preview_url = reverse("roster_preview", kwargs={"compound_id": compound.pk, "upload_id": roster_upload.pk})
    assert response.status_code == 302 and response["Location"] == preview_url
    assert Household.objects.count() == 0  # nothing saved before the confirmation

    page = worker_client.get(preview_url).content.decode()
    for number in ("252", "244", "240", "17237.04"):
        assert f">{number}<" in page
    assert "Confirm import" in page and roster_upload.sha256 in page
    assert Household.objects.count() == 0  # the preview's dry run left nothing

    response = confirm(worker_client, compound, roster_upload)
    assert response.redirect_chain[-1][0] == roster_url(compound)
    assert "252 created" in response.content.decode()
    assert compound.households.filter(is_active=True).count() == 252
    roster_upload.refresh_from_db()
    assert roster_upload.applied_at is not None
    assert bytes(roster_upload.content) == b""  # the ID tails are not kept

    page = worker_client.get(roster_url(compound)).content.decode()
    assert "1幢1单元101" in page and "孙建静、钟轩" in page
    # 252 households: 50 a page, the garage on the last one, or found by its name.
    assert "地下车库车位001" not in page
    assert "地下车库车位008" in worker_client.get(roster_url(compound) + "?page=6").content.decode()
    assert "地下车库车位001" in worker_client.get(roster_url(compound), {"q": "地下车库"}).content.decode()
    assert "861168" not in page and "330105" not in page  # no ID data


def test_bad_file_shows_every_error_and_saves_nothing(worker_client, compound):
    bad = SAMPLE.replace(b"1\xe5\xb9\xa2,1\xe5\x8d\x95\xe5\x85\x83,102,", b",1\xe5\x8d\x95\xe5\x85\x83,102,")
    bad = bad.replace(b"60.13", b"abc")
    response = upload(worker_client, compound, bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 problems found" in page
    assert '<td class="num">2</td><td>The area “abc” is not a number.</td>' in page
    assert '<td class="num">3</td><td>The building (楼栋) is missing.</td>' in page
    assert RosterUpload.objects.count() == 0 and Household.objects.count() == 0


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (b"", "roster.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "roster.xls", "save it as .xlsx or CSV"),
        (bytes(range(256)) * 50, "photo.jpg", "neither an Excel .xlsx workbook nor a CSV"),
        (b"PK\x03\x04" + bytes(range(256)) * 10, "roster.xlsx", "cannot be read"),
    ],
)
def test_unreadable_uploads_are_explained_not_a_500(worker_client, compound, data, name, expected):
    response = upload(worker_client, compound, data, name)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert RosterUpload.objects.count() == 0


def test_upload_size_is_limited(worker_client, compound, monkeypatch):
    monkeypatch.setattr(views_roster, "MAX_UPLOAD_BYTES", 1024 * 1024)
    response = upload(worker_client, compound, SAMPLE + b"\n" * (1024 * 1024))
    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()
    assert RosterUpload.objects.count() == 0


def test_confirming_twice_does_not_apply_again(worker_client, compound):
    upload(worker_client, compound)
    roster_upload = RosterUpload.objects.get()
    confirm(worker_client, compound, roster_upload)
    applied_at = RosterUpload.objects.get().applied_at
    # Retire one household by hand: applying the file again would bring it back.
    Household.objects.filter(room="101").update(is_active=False)
    response = confirm(worker_client, compound, roster_upload)
    assert "already imported" in response.content.decode()
    assert RosterUpload.objects.get().applied_at == applied_at
    assert compound.households.filter(is_active=True).count() < 252


def test_stale_preview_is_refused_after_a_newer_import(worker_client, compound):
    upload(worker_client, compound)  # A: the whole sample
    upload(worker_client, compound, without_line(SAMPLE, "车位008"))  # B: one parking space fewer
    older, newer = RosterUpload.objects.order_by("pk")
    confirm(worker_client, compound, newer)
    assert compound.households.filter(is_active=True).count() == 251

    preview = worker_client.get(
        reverse("roster_preview", kwargs={"compound_id": compound.pk, "upload_id": older.pk})
    ).content.decode()
    assert "out of date" in preview and "Confirm import" not in preview
    response = confirm(worker_client, compound, older)
    assert "out of date" in response.content.decode()
    assert compound.households.filter(is_active=True).count() == 251
    older.refresh_from_db()
    assert older.applied_at is None


def test_confirm_needs_the_previewed_file(worker_client, compound):
    upload(worker_client, compound)
    response = confirm(worker_client, compound, RosterUpload.objects.get(), sha256="0" * 64)
    assert "not the one that was previewed" in response.content.decode()
    assert Household.objects.count() == 0


def test_uploads_of_another_compound_are_not_found(worker_client, compound):
    other = Compound.objects.create(name="别的小区")
    foreign = RosterUpload.objects.create(compound=other, filename="x.csv", content=SAMPLE, sha256="x")
    url = reverse("roster_preview", kwargs={"compound_id": compound.pk, "upload_id": foreign.pk})
    assert worker_client.get(url).status_code == 404
    assert confirm(worker_client, compound, foreign).status_code == 404
    assert Household.objects.count() == 0


def test_superuser_creates_a_compound_from_its_first_roster(en_client):
    en_client.force_login(make_user("admin", is_superuser=True, is_staff=True))
    url = reverse("roster_new")
    assert en_client.get(url).status_code == 200

    file = SimpleUploadedFile("roster.csv", SAMPLE)
    response = en_client.post(url, {"name": "新小区", "file": file, "check_only": "on"})
    assert response.status_code == 200 and ">240<" in response.content.decode()
    assert not Compound.objects.filter(name="新小区").exists()

    response = en_client.post(url, {"name": "新小区", "file": SimpleUploadedFile("roster.csv", SAMPLE)})
    compound = Compound.objects.get(name="新小区")
    assert response.status_code == 302 and response["Location"] == roster_url(compound)
    assert compound.households.count() == 252
    assert RosterUpload.objects.get(compound=compound).applied_at is not None

    response = en_client.post(url, {"name": "新小区", "file": SimpleUploadedFile("roster.csv", SAMPLE)})
    assert response.status_code == 200 and "exists" in response.content.decode()

    bad = SAMPLE.replace(b"60.13", b"-1")
    response = en_client.post(url, {"name": "坏小区", "file": SimpleUploadedFile("roster.csv", bad)})
    assert "greater than zero" in response.content.decode()
    assert not Compound.objects.filter(name="坏小区").exists()
