"""The admin opens for superusers, with the roster read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="pw")


@pytest.mark.parametrize(
    "model",
    [
        "compounds_compound",
        "compounds_staffrole",
        "compounds_household",
        "compounds_credential",
        "compounds_rosterupload",
        "meetings_meeting",
        "meetings_attendance",
        "meetings_attendancelog",
        "proposals_proposal",
        "proposals_proposalversion",
        "proposals_amendment",
        "proposals_decision",
        "proposals_noticecomment",
        "minutes_party",
        "minutes_minutes",
        "minutes_minutesversion",
        "minutes_signoff",
        "minutes_annotation",
    ],
)
def test_admin_lists_open(client, superuser, households, meeting, codes, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_households_cannot_be_edited_in_the_admin(client, superuser, households):
    client.force_login(superuser)
    url = reverse("admin:compounds_household_change", args=[households[0].pk])
    response = client.post(url, {"room": "999"})
    assert response.status_code == 403
    households[0].refresh_from_db()
    assert households[0].room != "999"


def test_staff_without_superuser_cannot_open_the_admin(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("admin:index")).status_code == 302
