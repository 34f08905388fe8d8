from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from compounds.models import Building, BuildingUnit, Compound, Credential, Household, StaffRole
from meetings import access
from meetings.models import Meeting

SLOW_FILES = ("/e2e/", "test_bench_smoke.py", "test_vote_durability.py", "test_multiprocess.py")


def pytest_collection_modifyitems(items):
    """The slow files first (browser tests and real servers): `make test`
    hands files to its workers in this order (--no-loadscope-reorder), and
    the longest first leaves short ones to even out the end."""
    items.sort(key=lambda item: not any(slow in str(item.fspath) for slow in SLOW_FILES))


@pytest.fixture
def compound(db):
    return make_compound()


def make_compound():
    """A small compound: 2 buildings x 1 unit x 3 households, and a parking space."""
    compound = Compound.objects.create(name="测试苑")
    for b in ("1幢", "2幢"):
        building = Building.objects.create(compound=compound, name=b)
        unit = BuildingUnit.objects.create(building=building, name="1单元")
        for room in ("101", "102", "201"):
            Household.objects.create(
                compound=compound, unit=unit, room=room, area=Decimal("80.50"), owner_names=f"业主{b}{room}"
            )
    garage = Building.objects.create(compound=compound, name="地下车库")
    lot = BuildingUnit.objects.create(building=garage, name="")
    Household.objects.create(compound=compound, unit=lot, room="车位001", kind="parking", area=Decimal("12.50"))
    return compound


@pytest.fixture
def households(compound):
    return voting_households(compound)


def voting_households(compound):
    return list(Household.objects.filter(compound=compound).exclude(kind="parking").order_by("id"))


@pytest.fixture
def codes(households):
    """An active credential per voting household: {household: code}."""
    return {h: Credential.objects.create(household=h).code for h in households}


@pytest.fixture
def meeting(compound):
    return make_meeting(compound)


def make_meeting(compound):
    return Meeting.objects.create(compound=compound, title="议事会", status=Meeting.Status.ANNOUNCED)


@pytest.fixture
def poll(meeting, facilitator, households):
    """A live meeting, four households joined, an open council poll."""
    from meetings.actions import join_meeting, open_meeting
    from voting import actions
    from voting.models import Poll

    open_meeting(meeting)
    for household in households[:4]:
        join_meeting(meeting, household)
    poll = Poll.objects.create(meeting=meeting, title="加装电梯")
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll


@pytest.fixture
def room(meeting, facilitator):
    """A live meeting with its first agenda item under discussion."""
    from meetings import actions
    from meetings.actions import open_meeting

    open_meeting(meeting)
    actions.add_item(meeting, "加装电梯", 20)
    actions.next_item(meeting)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def fresh_rate_limits():
    """Rate-limit counters start empty (use it with pytest.mark.usefixtures)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def join_url(meeting):
    from django.urls import reverse

    return reverse("join", kwargs={"code": meeting.code})


def make_staff(compound, username, role):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    if role:
        StaffRole.objects.create(user=user, compound=compound, role=role)
    return user


@pytest.fixture
def facilitator(compound):
    return make_staff(compound, "fac", StaffRole.Role.FACILITATOR)


@pytest.fixture
def observer(compound):
    return make_staff(compound, "obs", StaffRole.Role.OBSERVER)


@pytest.fixture
def outsider(compound):
    """Staff of another compound."""
    other = Compound.objects.create(name="别的小区")
    return make_staff(other, "out", StaffRole.Role.FACILITATOR)


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A new channel layer per test: each async test runs its own event loop,
    and a Redis layer's connections belong to the loop that opened them."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_count_memos():
    """The live count's per-process memos (voting/panels.py, voting/frozen.py)
    start empty: they are keyed by poll id, and a rolled-back test's ids are
    used again."""
    from voting import frozen, panels

    panels._counted.clear()
    panels._voters.clear()
    frozen._frozen.clear()


@pytest.fixture
def empty_state_cache():
    """The shared full states (deliberation/realtime/states.py) start and end
    empty: they are keyed by meeting code and revision, which rolled-back
    tests reuse."""
    from deliberation.realtime import states

    states.forget()
    yield
    states.forget()


@pytest.fixture
def every_page_open(monkeypatch):
    """Pushes render every audience in every language, as if pages of each
    were open (deliberation/realtime/listening.py): for tests that read the
    pushes a write sends without opening sockets."""
    from deliberation.realtime import writes

    monkeypatch.setattr(writes, "listening", lambda meeting_id: None)


@pytest.fixture
def client(client, settings):
    """The test client, in English so assertions read plainly; the Chinese
    default is checked in test_language.py with a client of its own."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def english():
    """Messages in English for readable assertions (the UI default is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def active_code(household):
    """The household's active credential, issued if it has none."""
    credential = Credential.objects.filter(household=household, revoked_at__isnull=True).first()
    return credential or Credential.objects.create(household=household)


def joined_value(household):
    """(household id, credential id) of a household joined with its active
    code, as a session holds it (meetings.access.keep_join)."""
    return [household.pk, active_code(household).pk]


def join_session(client, meeting, household):
    """Make the test client a phone joined to `meeting` as `household`."""
    session = client.session
    access.keep_join(session, meeting, active_code(household))
    session.save()
    return client
