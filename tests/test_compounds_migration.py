"""The roster models moved from meetings to compounds without touching data.

A database populated on the schema before the move (meetings 0004, voting
0002) is migrated to the latest; every row is found through the new models,
with its relations, and the content types (admin permissions) follow.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from compounds.models import Building, BuildingUnit, Compound, Credential, Household, RosterUpload, StaffRole
from meetings.models import AgendaItem, Attendance, AttendanceLog, FloorRequest, Meeting
from voting.models import Ballot, BallotAudit, Participation, Poll, VoteReceipt

BEFORE = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("meetings", "0004_attendance_sign_in"),
    ("voting", "0002_tie_break_receipts_replacements"),
    ("compounds", None),
]
MOVED = ["compound", "building", "buildingunit", "household", "rosterupload", "staffrole", "credential"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state at those nodes; (app, None) means "none of app's migrations".
    return executor.loader.project_state([node for node in targets if node[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def populate(apps):
    """One of everything that refers to a roster model, written with the
    models as they were (meetings.Household, ...)."""
    get = apps.get_model
    User = get("auth", "User")
    staff = User.objects.create(username="worker")
    compound = get("meetings", "Compound").objects.create(name="青梧苑")
    building = get("meetings", "Building").objects.create(compound=compound, name="3幢", sort_key="3幢")
    unit = get("meetings", "BuildingUnit").objects.create(building=building, name="2单元", sort_key="2单元")
    Household = get("meetings", "Household")
    homes = [
        Household.objects.create(
            compound=compound, unit=unit, room=room, area=Decimal(area), owner_key=f"k{room}", sort_key=room
        )
        for room, area in [("501", "89.50"), ("502", "120.25")]
    ]
    get("meetings", "StaffRole").objects.create(user=staff, compound=compound, role="worker")
    get("meetings", "Credential").objects.create(household=homes[0], code="K7PMQ3XA", issued_by=staff)
    get("meetings", "RosterUpload").objects.create(
        compound=compound, uploaded_by=staff, filename="roster.csv", content=b"", sha256="0" * 64
    )
    meeting = get("meetings", "Meeting").objects.create(compound=compound, title="议事会", code="ABCDE", status="live")
    item = get("meetings", "AgendaItem").objects.create(meeting=meeting, title="加装电梯", position=0)
    get("meetings", "FloorRequest").objects.create(item=item, household=homes[0], stance="for")
    get("meetings", "Attendance").objects.create(meeting=meeting, household=homes[0], via="phone")
    get("meetings", "AttendanceLog").objects.create(
        meeting=meeting, household=homes[1], action="sign_in", by=staff, by_name="worker"
    )
    poll = get("voting", "Poll").objects.create(meeting=meeting, item=item, title="加装电梯", building_unit=unit)
    poll.buildings.add(building)
    get("voting", "Ballot").objects.create(poll=poll, household=homes[0], choice="for", channel="phone")
    get("voting", "VoteReceipt").objects.create(poll=poll, household=homes[0], key="k1")
    get("voting", "Participation").objects.create(poll=poll, household=homes[1], channel="paper")
    get("voting", "BallotAudit").objects.create(
        poll=poll, household=homes[1], event="cast", channel="paper", choice="against", entered_by=staff
    )
    return homes


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_row():
    old_apps = migrate(BEFORE)
    homes = populate(old_apps)
    # Content types as a database of that time had them, under "meetings".
    assert set(ContentType.objects.filter(app_label="meetings").values_list("model", flat=True)) >= set(MOVED)

    migrate(latest())

    compound = Compound.objects.get(name="青梧苑")
    households = list(Household.objects.order_by("room"))
    assert [h.pk for h in households] == [h.pk for h in homes]
    assert [h.label for h in households] == ["3幢2单元501", "3幢2单元502"]
    assert [h.area for h in households] == [Decimal("89.50"), Decimal("120.25")]
    assert Building.objects.get().compound == compound and BuildingUnit.objects.get().households.count() == 2
    assert StaffRole.objects.get().compound == compound
    assert Credential.objects.get().household == households[0]
    assert RosterUpload.objects.get().compound == compound
    meeting = Meeting.objects.get()
    assert meeting.compound == compound
    assert FloorRequest.objects.get().household == households[0]
    assert Attendance.objects.get().household == households[0]
    assert AttendanceLog.objects.get().household == households[1]
    poll = Poll.objects.get()
    assert poll.building_unit.building.compound == compound and list(poll.buildings.all()) == [Building.objects.get()]
    assert Ballot.objects.get().household == households[0]
    assert VoteReceipt.objects.get().household == households[0]
    assert Participation.objects.get().household == households[1]
    assert BallotAudit.objects.get().household == households[1]
    assert AgendaItem.objects.get().polls.get() == poll
    # Admin permissions follow the models: their content types moved.
    # (compounds has models of its own since, e.g. the audit chain's ledgerentry.)
    assert set(ContentType.objects.filter(app_label="compounds").values_list("model", flat=True)) >= set(MOVED)
    assert not ContentType.objects.filter(app_label="meetings", model__in=MOVED).exists()


@pytest.mark.django_db(transaction=True)
def test_the_moved_models_still_write_and_constrain_after_the_move():
    """The tables the new models write to are the old ones, constraints included."""
    migrate(BEFORE)
    migrate(latest())
    compound = Compound.objects.create(name="新小区")
    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name="1幢"), name="1单元")
    household = Household.objects.create(compound=compound, unit=unit, room="101", area=Decimal("60"))
    Credential.objects.create(household=household, revoked_at=timezone.now() - timedelta(days=1))
    Credential.objects.create(household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.create(household=household)  # credential_one_active
    assert Household._meta.db_table == "meetings_household"
