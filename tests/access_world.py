"""Routes, roles and one world of real objects for the permission matrix
(test_permission_matrix.py) and the fuzz tests (test_fuzz.py).

Both walk the same routes: every URL pattern the resolver knows and every
websocket audience. A new view or audience is therefore in both files'
reach the moment it is routed; the matrix fails until its table says who
may open it, and the fuzz tests post junk to it as a role the table allows.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from compounds.actions import revoke_code
from compounds.models import Building, BuildingUnit, Compound, Credential, Household, RosterUpload, StaffRole
from deliberation.realtime import AUDIENCES
from meetings import actions
from meetings.models import Meeting
from meetings.routing import websocket_urlpatterns
from proposals import actions as proposal_actions
from tests.conftest import make_compound, make_meeting, make_staff, voting_households
from voting import actions as voting_actions
from voting.models import Poll

# The columns of the matrix, in its order.
ROLES = (
    "anon",  # no session at all
    "resident",  # a phone joined to this meeting with its household code
    "other-res",  # a phone joined to a meeting of another compound
    "facilitator",
    "worker",
    "secretary",
    "observer",
    "superuser",
    "other-staff",  # a facilitator of another compound
    "revoked",  # a phone that joined this meeting, then its code was revoked
)
STAFF_ROLES = {
    "facilitator": StaffRole.Role.FACILITATOR,
    "worker": StaffRole.Role.WORKER,
    "secretary": StaffRole.Role.SECRETARY,
    "observer": StaffRole.Role.OBSERVER,
}


# --- Routes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "console", "admin:index", "ws:resident"
    kwargs: tuple = ()  # the URL's arguments, filled from the world
    view: object = None


# Django's admin has about a hundred model URLs of its own, every one behind
# AdminSite.admin_view (active staff only; tests/test_admin.py checks the
# roster stays read-only there). The matrix keeps the index as their
# representative instead of one row per model.
ADMIN_KEPT = {"admin:index"}
# Static files are not in the URL conf at all (a middleware serves them,
# deliberation/staticfiles.py), so the walk meets none: nothing to skip.


def http_routes():
    """Every named URL pattern of the project, namespaced like reverse() wants."""
    routes = []

    def walk(patterns, namespace, kwargs):
        for pattern in patterns:
            names = tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, (namespace, pattern.namespace)))
                walk(pattern.url_patterns, inner, kwargs + names)
                continue
            if pattern.name is None:
                # Unnamed patterns cannot be reversed; only the admin has them.
                assert namespace == "admin", f"name the URL pattern {pattern.pattern} so the matrix can list it"
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            if namespace == "admin" and name not in ADMIN_KEPT:
                continue
            routes.append(Route(name, kwargs + names, pattern.callback))

    walk(get_resolver().url_patterns, "", ())
    return routes


def websocket_routes():
    """Every websocket pattern with every audience: "ws:<audience>"."""
    routes = []
    for pattern in websocket_urlpatterns:
        names = tuple(pattern.pattern.regex.groupindex)
        assert str(pattern.pattern) == "ws/m/<str:code>/<str:audience>/", (
            f"a new websocket route ({pattern.pattern}): teach tests/access_world.py to name and fill it"
        )
        for audience in AUDIENCES:
            routes.append(Route(f"ws:{audience}", tuple(n for n in names if n != "audience")))
    return routes


def all_routes():
    return http_routes() + websocket_routes()


def split_case(case):
    """A matrix row is a route name, or a route name and a variant: "projector@key"."""
    name, _, variant = case.partition("@")
    return name, variant


# --- The world ---------------------------------------------------------------------------


@dataclass(repr=False)
class World:
    compound: Compound
    meeting: Meeting  # live, with a current item and a speaker waiting
    households: list
    users: dict  # role -> user, for the staff roles and "superuser", "other-staff"
    resident_credential: Credential  # households[0]: "resident"
    revoked_credential: Credential  # households[1]: "revoked" joins with it, then it is revoked
    slip: Credential  # households[2]: the slip whose link /h/<code>/ is opened
    other_meeting: Meeting  # of another compound, open to residents
    other_credential: Credential  # "other-res" joins other_meeting with it
    item: object  # the current agenda item
    second_item: object
    speaker_request: object  # households[3] waiting for the floor
    open_poll: Poll
    closed_poll: Poll  # closed, certificate written, result not revealed
    revealed_poll: Poll  # closed and revealed
    upload: RosterUpload
    proposal: object = None  # on the current item, version 2, on notice, a comment
    amendment: object = None  # by households[4], waiting for seconds
    comment: object = None
    photo: object = None
    closed_meeting: object = None  # ended, its minutes published (version 1)
    convention: object = None  # a convention adopted by a vote
    ballot_photo: object = None  # a paper ballot's photo, with its staff entry in the open poll
    notice: object = None  # the meeting's notice (its roster is published for checking too)
    official_poll: object = None  # of the ended meeting: a city system's result, with its document

    def __repr__(self):
        return f"<World: meeting {self.meeting.code} of {self.compound}>"


@contextmanager
def module_world(django_db_blocker, extend=None):
    """One world for a whole test module, built once (not for each of its
    hundreds of tests) in a transaction rolled back when the module ends.
    Each test runs in a savepoint inside it (pytest-django's `db`), so no
    test sees another's writes. Only for tests in a database transaction:
    a transactional (or async) test would find the world's rows locked or
    missing, so those live in modules of their own. `extend(world)` adds to it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            compound = make_compound()
            world = build_world(compound, voting_households(compound), make_meeting(compound))
            if extend is not None:
                extend(world)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def build_world(compound, households, meeting):
    """Everything a route's URL names, for the compound/households/meeting fixtures."""
    users = {role: make_staff(compound, f"mx-{role}", value) for role, value in STAFF_ROLES.items()}
    users["superuser"] = get_user_model().objects.create_superuser("mx-root", password="pw-mx-root")
    other = Compound.objects.create(name="隔壁苑")
    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=other, name="9幢"), name="1单元")
    other_household = Household.objects.create(compound=other, unit=unit, room="101", area=Decimal("90"))
    users["other-staff"] = make_staff(other, "mx-other-staff", StaffRole.Role.FACILITATOR)
    other_meeting = Meeting.objects.create(compound=other, title="隔壁的会", status=Meeting.Status.ANNOUNCED)

    creds = [Credential.objects.create(household=h) for h in households[:5]]
    actions.open_meeting(meeting)
    item = actions.add_item(meeting, "加装电梯", 20, "说明")
    second = actions.add_item(meeting, "停车", 10)
    actions.start_item(meeting, item.pk)
    meeting.refresh_from_db()
    for household in households[3:5]:
        actions.join_meeting(meeting, household)
    speaker = actions.request_floor(meeting, households[3], "for")

    def poll(title, *steps):
        p = Poll.objects.create(meeting=meeting, item=item, title=title)
        for step in steps:
            step(p)
        p.refresh_from_db()
        return p

    closed = poll("已关闭未公布", voting_actions.open_poll, voting_actions.close_poll)
    revealed = poll(
        "已公布",
        voting_actions.open_poll,
        voting_actions.close_poll,
        voting_actions.reveal,
        voting_actions.post_results,
    )
    open_poll = poll("表决中", voting_actions.open_poll)
    # Empty content reads as an expired upload: the preview page answers
    # without parsing a roster for every role.
    upload = RosterUpload.objects.create(
        compound=compound, uploaded_by=users["worker"], filename="roster.csv", content=b"", sha256="0" * 64
    )
    proposal = proposal_actions.create_proposal(
        compound, "convention", "文明公约", "# 文明公约\n\n## 第一条 养犬\n\n束犬绳。\n", user=users["facilitator"]
    )
    proposal_actions.save_text(proposal, "文明公约", "# 文明公约\n\n## 第一条 养犬\n\n束犬绳出行。\n", "更清楚")
    proposal_actions.place_on_item(proposal, item)
    proposal_actions.put_on_notice(proposal, 7)
    comment = proposal_actions.comment(proposal, households[0], "赞成")
    amendment = proposal_actions.propose_amendment(
        proposal, 2, "replace", "束犬绳，绳长不超过1.5米。", "更具体", household=households[4]
    )
    from proposals.models import ProjectPhoto

    photo = ProjectPhoto.objects.create(proposal=proposal, content=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    from voting.models import BallotAudit, BallotPhoto

    paper = BallotAudit.objects.create(
        poll=open_poll, household=households[3], event="entered", channel="paper", entered_by=users["worker"]
    )
    ballot_photo = BallotPhoto.objects.create(audit=paper, content=b"\xff\xd8\xff\xe0")
    from minutes import actions as minutes_actions
    from minutes import canonical
    from minutes.models import Minutes, MinutesVersion
    from proposals.models import Decision

    closed_meeting = Meeting.objects.create(compound=compound, title="上月议事会", status=Meeting.Status.CLOSED)
    minutes = Minutes.objects.create(meeting=closed_meeting, status=Minutes.Status.PUBLISHED)
    body = minutes_actions.content(minutes, 1, timezone.now())
    MinutesVersion.objects.create(minutes=minutes, number=1, content=body, fingerprint=canonical.fingerprint(body))
    convention = proposal_actions.create_proposal(compound, "convention", "已通过的公约", "## 第一条\n\n文明。\n")
    Decision.objects.create(proposal=convention, version=convention.current, outcome="adopted", basis={"title": "表决"})
    from compounds.electorate import Summary
    from meetings.models import Notice

    # A vote the city's system ran, its official result entered with its document.
    official_poll = Poll.objects.create(
        meeting=closed_meeting, title="市平台表决", rule="civil-code-ordinary", scope=Poll.Scope.COMPOUND
    )
    nobody = Summary(0, 0, Decimal(0))
    voting_actions.record_official_result(
        official_poll,
        source="市平台",
        reference="结果公告",
        totals={"electorate": Summary(6, 6, Decimal("483")), "participating": nobody, "for": nobody}
        | {"against": nobody, "abstain": nobody},
        user=users["facilitator"],
        document=(b"%PDF-1.4", "result.pdf", "application/pdf"),
    )
    notice = Notice.objects.create(
        meeting=meeting,
        title="会议公告",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timezone.timedelta(days=7),
        topics=[{"item": item.pk, "title": item.title}],
    )
    actions.publish_roster(meeting, users["facilitator"])
    meeting.refresh_from_db()
    return World(
        compound=compound,
        meeting=meeting,
        households=households,
        users=users,
        resident_credential=creds[0],
        revoked_credential=creds[1],
        slip=creds[2],
        other_meeting=other_meeting,
        other_credential=Credential.objects.create(household=other_household),
        item=item,
        second_item=second,
        speaker_request=speaker,
        open_poll=open_poll,
        closed_poll=closed,
        revealed_poll=revealed,
        upload=upload,
        proposal=proposal,
        amendment=amendment,
        comment=comment,
        photo=photo,
        closed_meeting=closed_meeting,
        notice=notice,
        official_poll=official_poll,
        convention=convention,
        ballot_photo=ballot_photo,
    )


# --- Filling URLs --------------------------------------------------------------------------

# `code` names a meeting in every route but the slip's own link.
SLIP_ROUTES = {"household_link"}
# The certificate row asks the hard question: a result written but not revealed.
POLL_OF_ROUTE = {
    "certificate": "closed_poll",
    "result_public": "revealed_poll",
    "poll_publication": "closed_poll",
    "official_document": "official_poll",
}
VARIANT_POLLS = {"revealed": "revealed_poll"}
# Public minutes are of the ended meeting; the registry is of the adopted convention.
MEETING_OF_ROUTE = {
    "minutes_public": "closed_meeting",
    "minutes_version": "closed_meeting",
    "minutes_json": "closed_meeting",
    "minutes_markdown": "closed_meeting",
    "minutes_pdf": "closed_meeting",
    "decision_notice": "closed_meeting",
    "official_document": "closed_meeting",
}
PROPOSAL_OF_ROUTE = {"convention": "convention", "convention_pdf": "convention", "convention_markdown": "convention"}


def url_kwargs(route, world, variant=""):
    values = {
        "meeting_id": getattr(world, MEETING_OF_ROUTE.get(route.name, "meeting")).pk,
        "compound_id": world.compound.pk,
        "item_id": world.item.pk,
        "household_id": world.slip.household_id,
        "upload_id": world.upload.pk,
        "poll_id": getattr(world, VARIANT_POLLS.get(variant) or POLL_OF_ROUTE.get(route.name, "open_poll")).pk,
        "code": world.slip.code if route.name in SLIP_ROUTES else world.meeting.code,
        "proposal_id": getattr(world, PROPOSAL_OF_ROUTE.get(route.name, "proposal")).pk,
        "amendment_id": world.amendment.pk,
        "comment_id": world.comment.pk,
        "photo_id": world.photo.pk,
        "audit_id": world.ballot_photo.audit_id,
        "notice_id": world.notice.pk,
        "number": 1,
        "old": 1,
        "new": 2,
    }
    missing = [name for name in route.kwargs if name not in values]
    assert not missing, f"tests/access_world.py cannot fill {missing} of route {route.name}: add them to url_kwargs"
    return {name: values[name] for name in route.kwargs}


def query_for(world, variant):
    if variant == "key":
        return {"key": world.meeting.projector_key}
    assert variant in ("", *VARIANT_POLLS), f"unknown matrix variant @{variant}"
    return {}


def path_for(route, world, variant=""):
    return reverse(route.name, kwargs=url_kwargs(route, world, variant))


def ws_path(world, audience, variant=""):
    query = "?lang=en" + (f"&key={world.meeting.projector_key}" if variant == "key" else "")
    return f"/ws/m/{world.meeting.code}/{audience}/{query}"


# --- Clients per role ------------------------------------------------------------------------

_addresses = count(1)


def fresh_address():
    """A network address of its own for each client: the per-address limit on
    wrong household codes (meetings/ratelimit.py) never sees the fuzz tests'
    junk codes, and never blocks another test's correct one."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def new_client():
    client = Client(REMOTE_ADDR=fresh_address())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def join_by_code(client, meeting, credential):
    """The real join: POST the household code to /m/<code>/, as a phone does."""
    response = client.post(reverse("join", kwargs={"code": meeting.code}), {"code": credential.display_code})
    assert response.status_code == 302 and response["Location"] == reverse("join", kwargs={"code": meeting.code}), (
        f"joining {meeting.code} with {credential.code} failed: {response.status_code}"
    )
    phone = client.get(response["Location"])
    assert is_phone_page(phone, meeting), "the join did not lead to the phone page"
    return client


def client_for(role, world):
    client = new_client()
    if role == "anon":
        return client
    if role == "resident":
        return join_by_code(client, world.meeting, world.resident_credential)
    if role == "other-res":
        return join_by_code(client, world.other_meeting, world.other_credential)
    if role == "revoked":
        join_by_code(client, world.meeting, world.revoked_credential)
        revoke_code(world.revoked_credential.household, world.users["worker"])
        return client
    client.force_login(world.users[role])
    return client


# --- Reading answers ---------------------------------------------------------------------------

LOGIN_PATHS = None


def login_paths():
    global LOGIN_PATHS
    if LOGIN_PATHS is None:
        LOGIN_PATHS = {reverse(settings.LOGIN_URL), reverse("admin:login")}
    return LOGIN_PATHS


def is_phone_page(response, meeting):
    """The joined resident's live page: it follows the meeting's resident socket."""
    marker = f'data-live="/ws/m/{meeting.code}/resident/"'.encode()
    return response.status_code == 200 and marker in response.content


def outcome(response, meeting=None):
    """One word for an HTTP answer: "ok", "phone", "login", "403", "404", "405" or "5xx".

    Refusals are exactly: a redirect to a login page carrying `next`
    ("login"), 401/403 ("403") and 404 ("404"). Everything else below 500 is
    "ok": the role got past the access checks, even if the (empty) body was
    then refused with 400 or 409 or a form error. "phone" is an "ok" that is
    the joined resident's own live page (`meeting`'s, when given).
    """
    status = response.status_code
    if status >= 500:
        return "5xx"
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        if location.path in login_paths() and "next" in parse_qs(location.query):
            return "login"
        return "ok"
    if status in (401, 403):
        return "403"
    if status in (404, 405):
        return str(status)
    if meeting is not None and is_phone_page(response, meeting):
        return "phone"
    return "ok"


# --- The table -------------------------------------------------------------------------------

# What a cell may say, and which outcomes match it.
MATCHES = {
    "ok": {"ok"},
    "phone": {"phone"},
    "login": {"login"},
    "403": {"403"},
    "404": {"404"},
    "denied": {"login", "403", "404"},  # refused; the form of the refusal is left to the view
    "accept": {"accept"},
    "refuse": {"refuse"},
}
ALLOWED = {"ok", "phone", "accept"}


@dataclass(frozen=True)
class Row:
    case: str  # route name, or "name@variant"
    method: str  # GET, POST or WS
    cells: dict  # role -> expected


def parse_table(text):
    """The matrix as written: a header of roles, then one row per case."""
    lines = [line.split("#")[0].split() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    header, rows = lines[0], lines[1:]
    assert header[:2] == ["route", "method"] and tuple(header[2:]) == ROLES, f"the table's columns must be {ROLES}"
    table = {}
    for line in rows:
        assert len(line) == len(header), f"row {line[0]} has {len(line)} columns, not {len(header)}"
        case, method, *cells = line
        assert case not in table, f"row {case} appears twice"
        assert method in ("GET", "POST", "WS"), f"row {case}: method {method}"
        unknown = set(cells) - set(MATCHES)
        assert not unknown, f"row {case}: unknown cells {unknown}"
        table[case] = Row(case, method, dict(zip(ROLES, cells, strict=True)))
    return table


def allowed_role(row, preference):
    """The first role of `preference` the row lets through (the fuzz tests act as it)."""
    return next((role for role in preference if row.cells[role] in ALLOWED), None)


def source_field_names(view):
    """Names the view's module reads from requests by hand: request.POST.get("x"), "x" in request.POST."""
    import inspect

    module = inspect.getmodule(inspect.unwrap(view))
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    # request.POST.get("x"), request.GET.getlist("x"), data.get("x") (a QueryDict passed on)
    names = set(re.findall(r"\b(?:POST|GET|FILES|data)(?:\.get|\.getlist)?\(\s*\"([^\"]+)\"", source))
    names |= set(re.findall(r"\"([^\"]+)\" in request\.(?:POST|GET)", source))
    # helpers that read a parameter by name: _int_param(request, "building")
    names |= set(re.findall(r"\(request, \"([\w-]+)\"\)", source))
    return names
