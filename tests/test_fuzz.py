"""Junk in, never a 5xx or a traceback out (issue 10).

Every route the URL resolver knows is fuzzed (tests/access_world.py walks
them, as the permission matrix does): junk bodies are POSTed and junk query
strings sent, as a role the permission matrix lets through, so the junk
reaches the forms and the actions rather than the login page. Every
websocket audience gets junk frames. The Django test client re-raises any
exception a view lets escape (raise_request_exception, its default), so an
unhandled error fails the test with its traceback.

Bodies start from a valid shape where one is known (BASES: the junk then
reaches the action, not only the first check), and each field is kept,
dropped, replaced by junk or repeated; fields of the view's forms and the
names its source reads from request.POST/GET are added with junk. A new
endpoint is fuzzed from its forms and source alone.

Each request runs in a savepoint rolled back after it, so every example
meets the same world (a live meeting with an agenda, a speaker waiting, an
open poll) and a failure replays exactly.
"""

import inspect
import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from meetings.models import FloorRequest
from tests.access_world import (
    allowed_role,
    client_for,
    http_routes,
    module_world,
    source_field_names,
    url_kwargs,
)
from tests.test_permission_matrix import TABLE

ROUTES = {route.name: route for route in http_routes()}
# Who the junk comes from: the first role the matrix lets through. Anonymous
# first (public forms: the join code, a slip's link), then the roles that
# reach deepest.
PREFERENCE = ("anon", "facilitator", "superuser", "resident", "worker", "secretary", "observer")
# A socket is fuzzed as the one it serves: a phone's as a phone.
WS_PREFERENCE = ("resident", "anon", "facilitator")
POST_EXAMPLES = 20
QUERY_EXAMPLES = 5
FRAME_EXAMPLES = 20

FUZZ = settings(
    deadline=None,
    database=None,
    # No "explain" phase: it traces coverage and takes longer than the search.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    # The world fixture is built once per module on purpose: every example
    # runs in a savepoint rolled back after it (HTTP) or changes nothing (a
    # socket's frames change nothing), so examples do not see each other.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- Junk ------------------------------------------------------------------------------------


class Long(str):
    """A long junk string that prints short in a failure report."""

    def __repr__(self):
        return f"<{len(self):,} chars: {str.__repr__(self[:24])}...>"


NUMBERS = [
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    Long("1" + "0" * 100),
    "1e309",
    "-0",
    "1.5",
    "NaN",
    "inf",
    "0x10",
    " 7 ",
    "٣",  # an Arabic-Indic digit: int() reads it
    "²",  # a superscript: isdigit() says yes, int() says no
    "①",
]
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "\r\nX-Injected: 1",
    "%s%n{0}",
    "\u202e\ufeff",
    "🙂" * 50,
    Long("長" * 300),
    Long("x" * 100_000),
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # lone surrogates cannot be sent
JUNK = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(ODD_TEXT), st.integers().map(str), TEXT)


def junk_file():
    names = st.sampled_from(
        ["roster.csv", "roster.xlsx", "x.txt", "noext", "../../x.csv", "a" * 300 + ".xlsx", "名单.CSV"]
    )
    contents = st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [
                b"",
                b"PK\x03\x04" + b"\x00" * 40,  # the start of a zip (xlsx), then nothing
                "楼栋,单元,房号,面积\n1幢,1单元,101,-1e309\n".encode(),
                "\ufeff楼栋,单元,房号\n".encode("utf-8") + b"\xff\xfe\x00",
                b"a,b\n" + b'"' * 1000,
            ]
        ),
        TEXT.map(str.encode),
    )
    return st.builds(lambda name, data: SimpleUploadedFile(name, data), names, contents)


def form_field_names(view):
    """The fields of the forms a view's module uses, with the prefixes it gives them."""
    module = inspect.getmodule(inspect.unwrap(view))
    source = inspect.getsource(module)
    prefixes = set(re.findall(r"prefix=\"(\w+)\"", source))
    names = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, forms.BaseForm):
            fields = set(value.base_fields)
            names |= fields | {f"{prefix}-{field}" for prefix in prefixes for field in fields}
    return names


def field_names(route):
    return sorted(source_field_names(route.view) | form_field_names(route.view))


def bases(name, world):
    """Valid-shaped bodies to mutate, for the endpoints whose shape is known."""
    h = world.households
    label = h[5].label
    item, second, speaker = world.item.pk, world.second_item.pk, world.speaker_request.pk
    meeting_form = {
        "title": "会",
        "kind": "council",
        "place": "活动室",
        "scheduled_start": "2030-01-01T19:00",
        "status": "announced",
        "speech_limit_seconds": "120",
        "speeches_per_item": "2",
        "alternate_stances": "on",
        "first_timers_first": "on",
        "seconds_required": "1",
    }
    poll_form = {
        "title": "表决",
        "text": "说明",
        "item": item,
        "kind": "yes_no",
        "rule": "simple-majority",
        "scope": "attendees",
        "proxy_cap": "3",
        "options": "",
    }
    return {
        "join": [{"code": world.resident_credential.display_code}],
        "household_link": [{"meeting": world.meeting.pk}],
        "floor_request": [{"stance": s} for s in FloorRequest.Stance.values],
        "vote": [{"choice": "for", "key": "k1"}, {"choice": ["for", "against"], "key": "k2"}],
        "meeting_status": [{"action": "open"}, {"action": "close"}],
        "agenda_action": [
            {"action": "start", "item": second},
            {"action": "up", "item": second},
            {"action": "down", "item": item},
            {"action": "next"},
        ],
        "floor_action": [
            {"action": "move", "request": speaker, "position": "0"},
            {"action": "remove", "request": speaker},
            {"action": "next"},
            {"action": "pause"},
            {"action": "end"},
        ],
        "floor_add": [{"who": label, "stance": "for"}, {"who": "张三", "stance": "question"}],
        "agenda_item_add": [{"title": "新议题", "planned_minutes": "10", "description": "d", "next": "/staff/"}],
        "agenda_item_edit": [{"title": "改", "planned_minutes": "5", "description": ""}, {"delete": "1"}],
        "meeting_new": [meeting_form],
        "meeting_edit": [meeting_form],
        "poll_new": [poll_form, {**poll_form, "kind": "choice", "options": "甲\n乙", "seats": "1"}],
        "poll_action": [{"action": "close"}, {"action": "reveal"}, {"action": "open"}],
        "poll_ballots": [
            {"one-household": label, "one-choice": "for", "one-channel": "paper"},
            {
                "one-household": label,
                "one-choice": "against",
                "one-channel": "proxy",
                "one-proxy_holder": "王红",
                "one-requested_by": "儿子",
            },
            {"batch-lines": f"{label} 赞成\n{h[4].label} 反对"},
        ],
        "signin_action": [
            {"action": "sign_in", "household": h[5].pk, "q": "101"},
            {"action": "undo", "household": h[4].pk},
        ],
        "roster_confirm": [{"sha256": world.upload.sha256}],
        "roster_new": [{"name": "新苑", "check_only": "on"}],
        "set_language": [{"language": "en", "next": "/"}],
        "login": [{"username": "mx-facilitator", "password": "wrong"}],
    }.get(name, [])


@st.composite
def junk_body(draw, shapes, names):
    """A body from one of `shapes` (or none), mutated, with junk in some of `names`."""
    body = dict(draw(st.sampled_from([*shapes, {}])))
    for field in list(body):
        fate = draw(st.sampled_from(["keep", "keep", "junk", "drop", "repeat"]))
        if fate == "junk":
            body[field] = draw(JUNK)
        elif fate == "drop":
            del body[field]
        elif fate == "repeat":
            body[field] = draw(st.lists(st.one_of(JUNK, st.just(body[field])), max_size=3))
    if names:
        for field in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            body[field] = draw(st.one_of(JUNK, st.lists(JUNK, max_size=3)))
    if "file" in names and draw(st.booleans()):
        body["file"] = draw(junk_file())
    return body


@st.composite
def junk_kwargs(draw, real):
    """The route's real URL arguments, now and then one id replaced by a junk number."""
    kwargs = dict(real)
    ids = [name for name in kwargs if name.endswith("_id")]
    if ids and draw(st.integers(0, 3)) == 0:
        kwargs[draw(st.sampled_from(ids))] = draw(
            st.sampled_from([0, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]) | st.integers(min_value=0)
        )
    if "code" in kwargs and draw(st.integers(0, 5)) == 0:
        kwargs["code"] = draw(st.sampled_from(["x", "Ω" * 3, "9" * 300, "%00"]))
    return kwargs


HEADERS = st.sampled_from(
    [
        {},
        {"HTTP_HX_REQUEST": "true"},
        {"HTTP_ACCEPT": "application/json"},
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "signin-results", "HTTP_ACCEPT": "application/json"},
    ]
)


def check(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert b"Traceback" not in response.content, f"{what}: a traceback in the page"


def role_for(name, preference=PREFERENCE):
    row = TABLE.get(name)
    assert row is not None, f"{name} has no row in the permission matrix (tests/test_permission_matrix.py)"
    role = allowed_role(row, preference)
    assert role is not None, f"no role may open {name}: nothing to fuzz it as"
    return role


def takes_post(route):
    """Does the endpoint read a POST? POST-only in the matrix, a class-based
    view with post(), or a view function whose code reads request.POST/FILES
    or looks at the method (its forms)."""
    if TABLE[route.name].method == "POST":
        return True
    view_class = getattr(route.view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    source = inspect.getsource(inspect.unwrap(route.view))
    return any(word in source for word in ("request.POST", "request.FILES", "request.method"))


POST_ROUTES = sorted(name for name, route in ROUTES.items() if takes_post(route))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the module's tests (tests/access_world.py module_world);
    every example still runs in a savepoint rolled back after it."""
    with module_world(django_db_blocker) as world:
        yield world


@pytest.fixture(autouse=True)
def no_counts_carried_over(fresh_rate_limits):
    """Junk codes one test sent never slow or block the next test's real ones."""


def _clients(role, world):
    """A client per example: a fresh anonymous one each time (its own address
    and session), or the role's one session made once for the test (a join or
    a login), which the junk cannot change: leaving and logging out are
    fuzzed anonymously."""
    if role == "anon":
        return lambda: client_for("anon", world)
    client = client_for(role, world)
    return lambda: client


def _run(name, role, world, draw_request):
    route = ROUTES[name]
    real = url_kwargs(route, world)
    shapes, names = bases(name, world), field_names(route)
    client_of = _clients(role, world)

    @settings(FUZZ, max_examples=POST_EXAMPLES if draw_request is _post else QUERY_EXAMPLES)
    @given(data=st.data())
    def junk(data):
        kwargs = data.draw(junk_kwargs(real), label="url kwargs")
        headers = data.draw(HEADERS, label="headers")
        with transaction.atomic():
            client = client_of()
            client.raise_request_exception = True  # an exception in the view fails the test
            method, response = draw_request(data, client, reverse(name, kwargs=kwargs), shapes, names, headers)
            check(response, f"{method} {name} as {role}")
            transaction.set_rollback(True)

    junk()


def _post(data, client, path, shapes, names, headers):
    body = data.draw(junk_body(shapes, names), label="body")
    return "POST", client.post(path, body, **headers)


def _get(data, client, path, shapes, names, headers):
    query = data.draw(
        st.dictionaries(st.sampled_from(names or ["q"]), st.one_of(JUNK, st.lists(JUNK, max_size=3)), max_size=4),
        label="query",
    )
    return "GET", client.get(path, query, **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_ROUTES)
def test_junk_posts(name, world):
    _run(name, role_for(name), world, _post)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_junk_queries(name, world):
    _run(name, role_for(name), world, _get)


# One field at a time, each nasty value: the random search above may miss a
# single bad field; this sweep never does, and reports every one it finds.
SWEEP = ["²", "9223372036854775808", "-1", "", "a\x00b", Long("x" * 100_000)]
DROP = object()


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_ROUTES)
def test_each_field_with_each_nasty_value(name, world):
    route, role = ROUTES[name], role_for(name)
    path = reverse(name, kwargs=url_kwargs(route, world))
    client_of = _clients(role, world)
    cases = []
    for shape in bases(name, world) or [{}]:
        for field in list(shape) or field_names(route):
            for value in [*SWEEP, DROP, [shape.get(field, "1"), "2"]]:
                body = {k: v for k, v in shape.items() if not (k == field and value is DROP)}
                if value is not DROP:
                    body[field] = value
                cases.append((field, "(missing)" if value is DROP else value, body))
    failures = []
    for field, value, body in cases:
        with transaction.atomic():
            client = client_of()
            client.raise_request_exception = True
            try:
                response = client.post(path, body, HTTP_HX_REQUEST="true")
            except Exception as error:  # noqa: BLE001 - every failing field is reported
                failures.append(f"{field}={value!r} in {body!r}: {type(error).__name__}: {str(error)[:200]}")
            else:
                if response.status_code >= 500:
                    failures.append(f"{field}={value!r} in {body!r}: {response.status_code}")
            transaction.set_rollback(True)
    assert not failures, f"POST {name} as {role}:\n" + "\n".join(failures)
