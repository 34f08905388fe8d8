"""The per-process hub: local fan-out, coalesced rendering, stale-proof state cache."""

import asyncio
import json
import time

import pytest
from channels.layers import InMemoryChannelLayer

from deliberation.realtime import LOST, Hub, group_name, meeting_group


class FakeSocket:
    def __init__(self):
        self.received = []

    async def send_text(self, text):
        message = json.loads(text)
        # Every message carries the server clock at sending (for countdowns).
        assert abs(message.pop("now") - time.time() * 1000) < 5000
        self.received.append(message)


def push(group, rev, panels):
    """A push as writes.push sends it: on the meeting's group, the panels of one page group."""
    meeting_id = int(group.split(".")[1])
    return {"type": "hub.push", "group": meeting_group(meeting_id), "rev": rev, "panels": {group: panels}}


def dirty(meeting_id, *names):
    return {"type": "hub.dirty", "group": meeting_group(meeting_id), "meeting": meeting_id, "names": list(names)}


KEY = (1, "projector", "zh-hans")
GROUP = group_name(*KEY)


async def test_one_layer_subscription_serves_every_local_socket():
    layer = InMemoryChannelLayer()
    hub = Hub(layer)
    sockets = [FakeSocket() for _ in range(50)]
    for socket in sockets:
        await hub.join(KEY, socket)
    assert list(layer.groups[meeting_group(1)]) == [hub.channel]  # one member, not fifty
    assert GROUP not in layer.groups  # the meeting's one group carries every page's panels
    await layer.group_send(meeting_group(1), push(GROUP, 3, {"a": "<p>x</p>"}))
    await asyncio.sleep(0.05)
    assert all(s.received == [{"type": "push", "rev": 3, "panels": {"a": "<p>x</p>"}}] for s in sockets)
    for socket in sockets:
        await hub.leave(KEY, socket)
    assert GROUP not in layer.groups and meeting_group(1) not in layer.groups
    hub.reader.cancel()
    hub.watchdog.cancel()


async def test_dirty_panels_render_once_per_window_per_audience(settings):
    """A burst of votes marks the tally dirty many times; it is rendered once."""
    from deliberation import realtime

    settings.REALTIME_COALESCE_SECONDS = 0.05
    settings.REALTIME_RESIDENT_COALESCE_SECONDS = 0.2
    renders = []

    async def render(meeting_id, audience, language, names):
        renders.append((meeting_id, audience, language, frozenset(names)))
        return 9, {name: f"<p>{name}@9</p>" for name in names}

    hub = Hub(InMemoryChannelLayer(), render=render)
    projector, phone = FakeSocket(), FakeSocket()
    hub.sockets[GROUP].add(projector)
    hub.groups[GROUP] = KEY
    phone_key = (1, "resident", "en")
    hub.sockets[group_name(*phone_key)].add(phone)
    hub.groups[group_name(*phone_key)] = phone_key
    realtime.panel("tally_test", "none.html")(lambda meeting, audience: {})
    try:
        for _ in range(100):
            await hub.dispatch(dirty(1, "tally_test"))
        assert renders == [] and projector.received == []
        await asyncio.sleep(0.12)
        # The projector's window has passed, the phones' (longer) has not.
        assert renders == [(1, "projector", "zh-hans", frozenset({"tally_test"}))]
        assert projector.received == [{"type": "push", "rev": 9, "panels": {"tally_test": "<p>tally_test@9</p>"}}]
        assert phone.received == []
        await asyncio.sleep(0.15)
    finally:
        del realtime._panels["tally_test"]
    assert sorted(renders) == [
        (1, "projector", "zh-hans", frozenset({"tally_test"})),
        (1, "resident", "en", frozenset({"tally_test"})),
    ]
    assert len(projector.received) == 1 and len(phone.received) == 1


async def test_dirty_marks_for_a_meeting_without_local_sockets_are_ignored():
    hub = Hub(InMemoryChannelLayer(), render=None)
    await hub.dispatch(dirty(7, "turnout"))
    assert hub.dirty == {}


async def test_pushes_for_groups_without_local_sockets_are_ignored():
    hub = Hub(InMemoryChannelLayer())
    await hub.dispatch(push("meeting.9.resident.en", 1, {"a": "x"}))  # no error, nothing sent


async def test_state_renders_once_per_revision_for_concurrent_callers():
    hub = Hub(InMemoryChannelLayer())
    hub.sockets["g"].add(FakeSocket())
    renders = []

    async def render():
        renders.append(1)
        await asyncio.sleep(0.01)
        return 7, "state-7"

    texts = await asyncio.gather(*[hub.state("g", 7, render) for _ in range(20)])
    assert texts == ["state-7"] * 20
    assert len(renders) == 1
    assert await hub.state("g", 7, render) == "state-7" and len(renders) == 1

    # A newer revision in the database means the cache is stale.
    async def render8():
        renders.append(1)
        return 8, "state-8"

    assert await hub.state("g", 8, render8) == "state-8"
    assert len(renders) == 2


async def test_a_lost_push_is_healed_by_the_revision_check():
    """A push lost on the way (e.g. across a Redis reconnect) leaves this process
    behind the database; after two checks it sends its sockets the full state."""
    database = {1: 5}
    states = []

    async def revisions(ids):
        return {i: database[i] for i in ids}

    async def render_state(meeting_id, audience, language):
        states.append((meeting_id, audience, language))
        return database[meeting_id], json.dumps({"type": "state", "rev": database[meeting_id], "panels": {}})

    hub = Hub(InMemoryChannelLayer(), revisions=revisions, render_state=render_state)
    socket = FakeSocket()
    hub.sockets[GROUP].add(socket)
    hub.groups[GROUP] = KEY
    await hub.fan_out(GROUP, 5, {"a": "x"})  # up to date
    await hub.check_revisions()
    await hub.check_revisions()
    assert states == []

    database[1] = 7  # two commits whose pushes never arrived
    await hub.check_revisions()
    assert states == []  # might still be on its way
    await hub.check_revisions()
    assert states == [KEY]
    assert socket.received[-1] == {"type": "state", "rev": 7, "panels": {}}
    await hub.check_revisions()
    assert len(states) == 1  # healed: no more resyncs


def hub_expecting_no_resync(database):
    """A hub with one socket whose revision check reads `database`
    ({meeting: revision}), and the list of the groups it resyncs (a test
    asserts it stays empty: the hub logs a failing render and goes on)."""
    resynced = []

    async def revisions(ids):
        return {i: database[i] for i in ids}

    async def render_state(*key):
        resynced.append(key)
        raise AssertionError("no resync expected")

    hub = Hub(InMemoryChannelLayer(), revisions=revisions, render_state=render_state)
    hub.sockets[GROUP].add(FakeSocket())
    hub.groups[GROUP] = KEY
    return hub, resynced


async def test_a_push_arriving_between_checks_needs_no_resync():
    database = {1: 5}
    hub, resynced = hub_expecting_no_resync(database)
    database[1] = 6
    await hub.check_revisions()  # behind: suspect
    await hub.fan_out(GROUP, 6, {"a": "y"})  # the push arrives
    await hub.check_revisions()
    assert resynced == []


async def test_a_steady_stream_of_votes_is_not_taken_for_lost_pushes():
    """During a vote burst every check finds the database a little ahead of the
    last coalesced push; as long as each push covers what the previous check
    saw, nothing is lost and no full state is sent."""
    database = {1: 5}
    hub, resynced = hub_expecting_no_resync(database)
    for _ in range(5):
        database[1] += 10
        await hub.check_revisions()  # ahead of what was sent
        await hub.fan_out(GROUP, database[1], {"turnout": "n"})  # the coalesced push
        database[1] += 3  # more votes since that render
    assert resynced == []


class BrokenSocket(FakeSocket):
    """A socket whose send raises (`fail` times, then works again)."""

    def __init__(self, fail=1):
        super().__init__()
        self.fail = fail

    async def send_text(self, text):
        if self.fail:
            self.fail -= 1
            raise RuntimeError("send failed")
        await super().send_text(text)


def hub_with_database(database, states=None):
    async def revisions(ids):
        return {i: database[i] for i in ids}

    async def render_state(meeting_id, audience, language):
        if states is not None:
            states.append((meeting_id, audience, language))
        return database[meeting_id], json.dumps({"type": "state", "rev": database[meeting_id], "panels": {}})

    return Hub(InMemoryChannelLayer(), revisions=revisions, render_state=render_state)


async def test_a_push_that_raises_is_logged_reaches_the_others_and_is_resynced(caplog):
    import logging

    database = {1: 5}
    states = []
    hub = hub_with_database(database, states)
    before, broken, after = FakeSocket(), BrokenSocket(), FakeSocket()
    for socket in (before, broken, after):
        hub.sockets[GROUP].add(socket)
    hub.groups[GROUP] = KEY
    with caplog.at_level(logging.DEBUG, logger="deliberation.realtime"):
        await hub.fan_out(GROUP, 5, {"a": "x"})
    assert before.received == after.received == [{"type": "push", "rev": 5, "panels": {"a": "x"}}]
    assert broken.received == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "1 of 3" in errors[0].getMessage()
    assert errors[0].exc_info[0] is RuntimeError
    assert 1 not in hub.seen  # not counted as delivered

    # A later push that goes out to all does not hide the loss: it carries
    # other panels than the one the broken socket missed.
    database[1] = 6
    await hub.fan_out(GROUP, 6, {"b": "y"})
    await hub.check_revisions()  # one check is enough: the loss is known
    assert states == [KEY]
    assert broken.received == [
        {"type": "push", "rev": 6, "panels": {"b": "y"}},
        {"type": "state", "rev": 6, "panels": {}},
    ]
    assert before.received[-1] == {"type": "state", "rev": 6, "panels": {}}
    await hub.check_revisions()
    await hub.check_revisions()
    assert states == [KEY]  # healed


async def test_a_resync_that_fails_is_tried_again_and_other_groups_still_get_theirs():
    database = {1: 5}
    states = []
    hub = hub_with_database(database, states)
    phone_key = (1, "resident", "en")
    phone_group = group_name(*phone_key)
    projector, phone = BrokenSocket(fail=2), FakeSocket()
    hub.sockets[GROUP].add(projector)
    hub.groups[GROUP] = KEY
    hub.sockets[phone_group].add(phone)
    hub.groups[phone_group] = phone_key
    await hub.fan_out(GROUP, 5, {"a": "x"})  # fails for the projector
    await hub.check_revisions()  # its resync fails too; the phone's goes out
    assert sorted(states) == sorted([KEY, phone_key])
    assert phone.received == [{"type": "state", "rev": 5, "panels": {}}]
    assert projector.received == []
    assert hub.suspect == {1: LOST}  # the phones' state went out; the projector's did not
    await hub.check_revisions()  # tried again, and now it works
    assert projector.received == [{"type": "state", "rev": 5, "panels": {}}]
    assert hub.seen == {1: 5}
    states.clear()
    await hub.check_revisions()
    assert states == []


async def test_a_resync_whose_render_fails_is_tried_again():
    database = {1: 5}
    hub = hub_with_database(database)
    socket = BrokenSocket()
    hub.sockets[GROUP].add(socket)
    hub.groups[GROUP] = KEY
    await hub.fan_out(GROUP, 5, {"a": "x"})
    render_state, calls = hub.render_state, []

    async def failing_render(*key):
        calls.append(key)
        raise RuntimeError("database away")

    hub.render_state = failing_render
    await hub.check_revisions()
    assert calls == [KEY] and socket.received == []
    hub.render_state = render_state
    await hub.check_revisions()
    assert socket.received == [{"type": "state", "rev": 5, "panels": {}}]


def state_of(rev):
    async def render():
        return rev, json.dumps({"type": "state", "rev": rev, "panels": {}})

    return render


PHONE_KEY = (1, "resident", "en")
PHONE_GROUP = group_name(*PHONE_KEY)


@pytest.mark.parametrize("how", ["push", "state on connect"])
async def test_a_socket_connecting_does_not_hide_a_push_lost_for_the_other_groups(how):
    """A full state sent to one connecting socket says nothing of the sockets
    already there: a push they lost must still be found by the revision check."""
    database = {1: 5}
    states = []
    hub = hub_with_database(database, states)
    projector = FakeSocket()
    hub.sockets[GROUP].add(projector)
    hub.groups[GROUP] = KEY
    if how == "push":
        await hub.fan_out(GROUP, 5, {"a": "x"})
    else:
        projector.received.append(json.loads(await hub.state(GROUP, 5, state_of(5))))
    database[1] = 6  # its push never reaches this process
    hub.sockets[PHONE_GROUP].add(FakeSocket())
    hub.groups[PHONE_GROUP] = PHONE_KEY
    await hub.state(PHONE_GROUP, 6, state_of(6))  # a phone connects
    assert hub.sent[PHONE_GROUP] == 6
    await hub.check_revisions()
    await hub.check_revisions()
    assert KEY in states
    assert projector.received[-1] == {"type": "state", "rev": 6, "panels": {}}


async def test_sockets_connecting_to_a_quiet_meeting_are_not_resynced():
    database = {1: 5}
    hub, resynced = hub_expecting_no_resync(database)
    hub.sockets[PHONE_GROUP].add(FakeSocket())
    hub.groups[PHONE_GROUP] = PHONE_KEY
    await hub.state(GROUP, 5, state_of(5))
    await hub.state(PHONE_GROUP, 5, state_of(5))
    for _ in range(3):
        await hub.check_revisions()
    assert resynced == []


async def test_a_meeting_all_of_whose_sockets_left_starts_afresh():
    """The watchdog forgets a meeting with no local socket left: sockets that
    come back later are up to date with the state they are sent."""
    database = {1: 5}
    hub, resynced = hub_expecting_no_resync(database)
    hub.sockets.clear()
    hub.groups.clear()
    socket = FakeSocket()
    await hub.join(KEY, socket)
    try:
        await hub.fan_out(GROUP, 5, {"a": "x"})
        await hub.leave(KEY, socket)
        assert hub.seen == {}
        database[1] = 9  # meanwhile, with nobody here to push to
        await hub.join(KEY, socket)
        await hub.state(GROUP, 9, state_of(9))
        for _ in range(3):
            await hub.check_revisions()
        assert resynced == []
    finally:
        hub.reader.cancel()
        hub.watchdog.cancel()


def test_the_realtime_core_needs_an_app_to_register_its_rooms(monkeypatch):
    from deliberation.realtime import rooms

    monkeypatch.setattr(rooms, "_registered", None)
    with pytest.raises(RuntimeError, match="register_rooms"):
        rooms.load_room(1)
