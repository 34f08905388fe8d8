"""The bench's database side, run as `python -m bench.appdata <command>` with
the server's environment (same settings, same database), never imported by
the load generator itself.

    setup --households N   a compound of N households with codes, a facilitator,
                           a live meeting with an item under discussion and an
                           open poll; prints what the load generator needs (JSON)
    ballots --poll ID      what the database holds for the poll (JSON)

Everything is made through the app's own models and action functions, as a
newcomer's data would be, only in bulk.
"""

import argparse
import json
import os
import secrets
import sys
from decimal import Decimal

HOUSEHOLDS_PER_BUILDING = 100
HOUSEHOLDS_PER_UNIT = 20


def setup(households):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from compounds.actions import issue_missing_codes
    from compounds.models import StaffRole
    from meetings import actions as meeting_actions
    from meetings.models import Meeting
    from voting import actions
    from voting.models import Poll

    with transaction.atomic():
        compound = _compound(households)
        issue_missing_codes(compound, None)
        password = secrets.token_urlsafe(12)
        user = get_user_model().objects.create_user("bench-facilitator", password=password)
        StaffRole.objects.create(user=user, compound=compound, role=StaffRole.Role.FACILITATOR)
        meeting = Meeting.objects.create(compound=compound, title="Bench meeting", status=Meeting.Status.LIVE)
    # Each action commits on its own, as the facilitator's clicks would.
    meeting_actions.add_item(meeting, "Bench item", 30)
    meeting_actions.next_item(meeting)
    poll = Poll.objects.create(meeting=meeting, title="Bench poll", rule="simple-majority", scope="compound")
    actions.open_poll(poll)
    meeting.refresh_from_db()
    return {
        "meeting_id": meeting.pk,
        "meeting_code": meeting.code,
        "projector_key": meeting.projector_key,
        "poll_id": poll.pk,
        "username": user.username,
        "password": password,
        "codes": _codes(compound),
    }


def _compound(households):
    """N residences: buildings of 100, stairwells (单元) of 20 households."""
    from compounds.models import Building, BuildingUnit, Compound, Household
    from compounds.models.roster import natural_key

    compound = Compound.objects.create(name=f"压测苑-{secrets.token_hex(3)}")
    units = {}
    rows = []
    for i in range(households):
        b, u = i // HOUSEHOLDS_PER_BUILDING + 1, (i % HOUSEHOLDS_PER_BUILDING) // HOUSEHOLDS_PER_UNIT + 1
        if (b, u) not in units:
            building = Building.objects.get_or_create(compound=compound, name=f"{b}幢")[0]
            units[b, u] = BuildingUnit.objects.create(building=building, name=f"{u}单元")
        room = f"{i % HOUSEHOLDS_PER_UNIT // 2 + 1}0{i % 2 + 1}"
        rows.append(
            Household(
                compound=compound,
                unit=units[b, u],
                room=room,
                area=Decimal("88.00"),
                kind=Household.Kind.RESIDENCE,
                owner_key=f"bench-{i}",
                # bulk_create skips save(), which computes the sort key.
                sort_key=natural_key(room),
            )
        )
    Household.objects.bulk_create(rows, batch_size=500)
    return compound


def _codes(compound):
    from compounds.credentials import active_credentials

    return list(
        active_credentials()
        .filter(household__compound=compound)
        .order_by("household_id")
        .values_list("code", flat=True)
    )


def ballots(poll_id):
    from django.db.models import Count

    from voting.models import Ballot, VoteReceipt

    ballots = Ballot.objects.filter(poll_id=poll_id)
    return {
        "ballots": ballots.count(),
        "households": ballots.values("household_id").distinct().count(),
        "duplicates": ballots.values("household_id").annotate(n=Count("id")).filter(n__gt=1).count(),
        "receipts": VoteReceipt.objects.filter(poll_id=poll_id).count(),
    }


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup").add_argument("--households", type=int, required=True)
    sub.add_parser("ballots").add_argument("--poll", type=int, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")
    import django

    django.setup()
    result = setup(args.households) if args.command == "setup" else ballots(args.poll)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
