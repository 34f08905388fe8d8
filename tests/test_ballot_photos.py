"""Photos of paper ballots (issue 15, "Proof"): kept with the staff entry,
without EXIF and downscaled, seen by staff only, never for a secret poll
(a photo of the paper would show how the household voted)."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.access_world import fresh_address
from tests.conftest import join_session, make_staff
from voting import actions, photos
from voting.models import BallotAudit, BallotPhoto, Poll


def camera_photo(size=(3000, 2000), orientation=6, fmt="JPEG"):
    """A phone camera's photo: large, with its maker, model, time and place
    in EXIF, held sideways (orientation 6: turn 90° clockwise to view)."""
    image = Image.new("RGB", size, (240, 240, 230))
    image.paste((20, 20, 20), (100, 100, 600, 300))  # a tick in the top left corner, as taken
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    exif[0x0112] = orientation
    exif.get_ifd(0x8825)[1] = "N"  # GPS: where it was taken
    out = BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def ballots_url(poll):
    return reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})


def enter_paper(client, poll, household, photo, channel="paper", name="ballot.jpg"):
    upload = BytesIO(photo)
    upload.name = name
    data = {"one-household": household.label, "one-choice": "for", "one-channel": channel, "one-photo": upload}
    return client.post(ballots_url(poll), data)


def photo_url(entry):
    return reverse(
        "ballot_photo", kwargs={"meeting_id": entry.poll.meeting_id, "poll_id": entry.poll_id, "audit_id": entry.pk}
    )


def test_a_paper_ballot_photo_is_kept_without_exif_downscaled_and_upright(client, poll, households, facilitator):
    original = camera_photo()
    assert b"PhoneMaker" in original
    client.force_login(facilitator)
    response = enter_paper(client, poll, households[0], original)
    assert response.status_code == 302
    entry = BallotAudit.objects.get(poll=poll, household=households[0])
    assert entry.entered_by == facilitator and entry.channel == "paper"
    stored = BallotPhoto.objects.get(audit=entry)
    data = bytes(stored.content)
    assert b"PhoneMaker" not in data and b"Model X" not in data and b"Exif" not in data
    image = Image.open(BytesIO(data))
    assert image.format == "JPEG" and not image.getexif()
    # Turned as the camera was held (2000 x 3000), then to 1600 px on its long side.
    assert image.size == (1067, 1600) == (stored.width, stored.height)
    # The list shows who entered it and links to its photo.
    page = client.get(ballots_url(poll)).content.decode().split("Audit log")[1]
    assert photo_url(entry) in page and ">fac<" in page


def test_the_photo_is_seen_by_staff_and_no_one_else(client, poll, households, facilitator):
    actions.cast(poll, households[0], "for", channel="paper", user=facilitator, photo=camera_photo())
    entry = BallotAudit.objects.get(poll=poll, household=households[0])
    url = photo_url(entry)

    client.force_login(facilitator)
    shown = client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Cache-Control"] == "private, no-store" and shown["X-Content-Type-Options"] == "nosniff"
    assert shown.content == bytes(BallotPhoto.objects.get().content)
    worker = Client()
    worker.force_login(make_staff(poll.meeting.compound, "worker1", "worker"))
    assert worker.get(url).status_code == 200

    # The public: sent to log in. A resident's phone (no staff login): the same.
    anonymous = Client(REMOTE_ADDR=fresh_address()).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    resident = join_session(Client(REMOTE_ADDR=fresh_address()), poll.meeting, households[0]).get(url)
    assert resident.status_code == 302 and resident.content == b""
    # Staff who do not enter ballots, and staff of another compound: refused.
    secretary = Client()
    secretary.force_login(make_staff(poll.meeting.compound, "sec", "secretary"))
    assert secretary.get(url).status_code == 403
    other = Client()
    other.force_login(make_staff(None, "nobody", None))
    assert other.get(url).status_code == 403
    # Another poll's id in the URL: not found.
    wrong = reverse(
        "ballot_photo", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk + 99, "audit_id": entry.pk}
    )
    assert client.get(wrong).status_code == 404


def test_no_photo_for_a_secret_poll(client, meeting, poll, households, facilitator):
    actions.close_poll(poll)
    secret = Poll.objects.create(meeting=meeting, title="选举", secret=True)
    actions.open_poll(secret)
    secret.refresh_from_db()
    with pytest.raises(actions.VotingError, match="secret ballot"):
        actions.cast(secret, households[0], "for", channel="paper", user=facilitator, photo=camera_photo())
    client.force_login(facilitator)
    page = enter_paper(client, secret, households[0], camera_photo()).content.decode()
    assert "Secret ballot: no photo is kept" in page
    assert not BallotPhoto.objects.exists() and not secret.ballots.exists()


def test_a_photo_only_with_a_paper_ballot(client, poll, households, facilitator):
    with pytest.raises(actions.VotingError, match="only with a paper ballot"):
        actions.cast(poll, households[0], "for", channel="hand", user=facilitator, photo=camera_photo())
    client.force_login(facilitator)
    page = enter_paper(client, poll, households[0], camera_photo(), channel="hand").content.decode()
    assert "A photo can be kept only with a paper ballot." in page
    assert not poll.ballots.exists()


@pytest.mark.parametrize(
    "junk, message",
    [
        (b"GIF89a" + b"\0" * 100, "Upload a photo as JPEG, PNG or WebP."),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "could not be read"),  # a JPEG's signature, then nothing
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "could not be read"),
    ],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_recorded(client, poll, households, facilitator, junk, message):
    client.force_login(facilitator)
    response = enter_paper(client, poll, households[0], junk)
    assert response.status_code == 200 and message in response.content.decode()
    assert not poll.ballots.exists() and not BallotPhoto.objects.exists()


def test_png_and_webp_photos_are_kept_as_jpeg(english):
    for fmt in ("PNG", "WEBP"):
        data, width, height = photos.prepare(camera_photo(size=(400, 300), orientation=1, fmt=fmt))
        assert Image.open(BytesIO(data)).format == "JPEG" and (width, height) == (400, 300)


def test_a_decompression_bomb_is_refused_before_decoding(english):
    """A small file whose header claims a huge image (voting/photos.py: MAX_PIXELS)."""
    out = BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    with pytest.raises(photos.PhotoError, match="too many pixels"):
        photos.prepare(out.getvalue())
