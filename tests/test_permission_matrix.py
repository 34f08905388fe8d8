"""Who may open what: every route x every role, in one table (issue 10).

The rows are generated from the URL resolver and the websocket routes
(tests/access_world.py walks them): a route the table does not list fails
`test_every_route_has_a_row`, so a new view needs a rule before it ships.
Each row is then requested by every role against one world of real objects
(a live meeting of this compound with an agenda, a speaker waiting, polls
open/closed/revealed, a roster upload, household codes; a second compound
with its own meeting, resident and staff).

Cells, and what they accept:

    ok      let through: any answer but a refusal (a 400 or a form error for
            the empty body counts: access is the question, not behaviour)
    phone   let through, and the page is the joined resident's live phone page
    login   a redirect to the login page (with ?next=)
    403     403 Forbidden            404   404 Not Found
    denied  login, 403 or 404: refused, the form of the refusal left to the view
    accept  the websocket opens and sends the meeting's state
    refuse  the websocket is closed (4403/4404) or never opened

A 5xx, a 405 (the table names the wrong method) or an exception never matches.
Pages are requested with GET, POST-only endpoints with POST, an empty body
(or the minimal one in BODIES) and the htmx headers the pages send;
websockets with the role's session cookie.

The rules the cells follow: staff roles as meetings/access.py names them
(CONSOLE_ROLES see the room, ROSTER_ROLES keep the roster and codes, the
facilitator runs the room, superusers hold every role); staff of another
compound get nothing of this one; a resident of another compound gets
nothing of this meeting; a resident whose code was revoked after joining is
anonymous again (issue 10); residents read a certificate only once its result
is revealed (issue 10); the projector opens with its key or a staff login.
"""

import pytest
from django.db import transaction

from tests.access_world import (
    MATCHES,
    ROLES,
    all_routes,
    client_for,
    module_world,
    outcome,
    parse_table,
    path_for,
    query_for,
    split_case,
)

# fmt: off
TABLE = parse_table("""
route                    method anon   resident other-res facilitator worker secretary observer superuser other-staff revoked
# Public pages
home                     GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
login                    GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
logout                   POST   ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
set_language             POST   ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
admin:index              GET    login  login    login     login       login  login     login    ok        login       login
# A phone's pages: the join page shows the room only to a phone joined with a code still valid
join                     GET    ok     phone    ok        ok          ok     ok        ok       ok        ok          ok
household_link           GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
leave                    POST   ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
floor_request            POST   403    ok       403       403         403    403       403      403       403         403
floor_withdraw           POST   403    ok       403       403         403    403       403      403       403         403
vote                     POST   403    ok       403       403         403    403       403      403       403         403
my_vote                  GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
certificate              GET    login  denied   login     ok          ok     ok        ok       ok        403         login
certificate@revealed     GET    login  ok       login     ok          ok     ok        ok       ok        403         login
projector                GET    login  login    login     ok          ok     ok        ok       ok        403         login
projector@key            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# Staff: the room (CONSOLE_ROLES see it, the facilitator runs it)
staff_home               GET    login  login    login     ok          ok     ok        ok       ok        ok          login
console                  GET    login  login    login     ok          ok     ok        ok       ok        403         login
meeting_status           POST   login  login    login     ok          403    403       403      ok        403         login
agenda_action            POST   login  login    login     ok          403    403       403      ok        403         login
floor_action             POST   login  login    login     ok          403    403       403      ok        403         login
projector_screen         POST   login  login    login     ok          403    403       403      ok        403         login
poll_action              POST   login  login    login     ok          403    403       403      ok        403         login
floor_add                POST   login  login    login     ok          ok     403       403      ok        403         login
poll_ballots             GET    login  login    login     ok          ok     403       403      ok        403         login
ballot_photo             GET    login  login    login     ok          ok     403       403      ok        403         login
signin                   GET    login  login    login     ok          ok     403       403      ok        403         login
signin_action            POST   login  login    login     ok          ok     403       403      ok        403         login
# Staff: planning (facilitator, worker, secretary); polls are prepared by the facilitator and the worker (issue 14)
meeting_new              GET    login  login    login     ok          ok     ok        403      ok        403         login
meeting_edit             GET    login  login    login     ok          ok     ok        403      ok        403         login
agenda_item_add          POST   login  login    login     ok          ok     ok        403      ok        403         login
agenda_item_edit         GET    login  login    login     ok          ok     ok        403      ok        403         login
poll_new                 GET    login  login    login     ok          ok     403       403      ok        403         login
poll_edit                GET    login  login    login     ok          ok     403       403      ok        403         login
clauses_page             GET    login  login    login     ok          ok     ok        403      ok        403         login
official_result          GET    login  login    login     ok          ok     403       403      ok        403         login
official_document        GET    login  login    login     ok          ok     ok        ok       ok        403         login
poll_publication         GET    login  login    login     ok          ok     ok        403      ok        403         login
# Staff: the notice, service and the roster check (planning: facilitator, worker, secretary) (issue 15)
notice_page              GET    login  login    login     ok          ok     ok        403      ok        403         login
notice_extend            POST   login  login    login     ok          ok     ok        403      ok        403         login
service_page             GET    login  login    login     ok          ok     ok        403      ok        403         login
service_one              POST   login  login    login     ok          ok     ok        403      ok        403         login
service_batch            POST   login  login    login     ok          ok     ok        403      ok        403         login
service_posting          POST   login  login    login     ok          ok     ok        403      ok        403         login
service_withdraw         POST   login  login    login     ok          ok     ok        403      ok        403         login
roster_check_page        GET    login  login    login     ok          ok     ok        403      ok        403         login
# Staff: roster and household codes (ROSTER_ROLES: worker, facilitator)
roster                   GET    login  login    login     ok          ok     403       403      ok        403         login
roster_preview           GET    login  login    login     ok          ok     403       403      ok        403         login
roster_confirm           POST   login  login    login     ok          ok     403       403      ok        403         login
credential_list          GET    login  login    login     ok          ok     403       403      ok        403         login
credential_issue_missing POST   login  login    login     ok          ok     403       403      ok        403         login
credential_reissue       GET    login  login    login     ok          ok     403       403      ok        403         login
credential_revoke        GET    login  login    login     ok          ok     403       403      ok        403         login
credential_slips         GET    login  login    login     ok          ok     403       403      ok        403         login
roster_new               GET    login  login    login     403         403    403       403      ok        403         login
# Proposals: drafting (facilitator, worker, secretary), the chair's controls (facilitator)
proposal_list            GET    login  login    login     ok          ok     ok        403      ok        403         login
proposal_new             GET    login  login    login     ok          ok     ok        403      ok        403         login
proposal_detail          GET    login  login    login     ok          ok     ok        403      ok        403         login
proposal_save_text       POST   login  login    login     ok          ok     ok        403      ok        403         login
proposal_save_details    POST   login  login    login     ok          ok     ok        403      ok        403         login
proposal_place           POST   login  login    login     ok          ok     ok        403      ok        403         login
proposal_notice          POST   login  login    login     ok          ok     ok        403      ok        403         login
proposal_withdraw        POST   login  login    login     ok          ok     ok        403      ok        403         login
proposal_revise          POST   login  login    login     ok          ok     ok        403      ok        403         login
project_start            POST   login  login    login     ok          ok     ok        403      ok        403         login
project_complete         POST   login  login    login     ok          ok     ok        403      ok        403         login
project_photo            POST   login  login    login     ok          ok     ok        403      ok        403         login
comment_hide             POST   login  login    login     ok          ok     ok        403      ok        403         login
version_diff             GET    login  login    login     ok          ok     ok        403      ok        403         login
version_compare          GET    login  login    login     ok          ok     ok        403      ok        403         login
amendment_action         POST   login  login    login     ok          403    403       403      ok        403         login
proposal_focus           POST   login  login    login     ok          403    403       403      ok        403         login
# Proposals from phones: amending and seconding need a joined household (GET sends others to join)
amend                    GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
second                   POST   403    ok       403       403         403    403       403      403       403         403
withdraw_amendment       POST   403    ok       403       403         403    403       403      403       403         403
sponsor_edit             GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# Proposals in public: a proposal past its draft is public, its notice and record too
proposal_page            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
proposal_json            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
notice_print             GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
project_photo_file       GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# Minutes: read by CONSOLE_ROLES and signing parties, written by the secretary and the facilitator
# (the world's meeting is live: the minutes page sends staff back to the console)
minutes_page             GET    login  login    login     ok          ok     ok        ok       ok        403         login
minutes_edit             POST   login  login    login     ok          403    ok        403      ok        403         login
minutes_annotate         POST   login  login    login     ok          403    ok        403      ok        403         login
minutes_ask              POST   login  login    login     ok          403    ok        403      ok        403         login
minutes_correct          POST   login  login    login     ok          403    ok        403      ok        403         login
minutes_notice_posted    POST   login  login    login     ok          403    ok        403      ok        403         login
minutes_sign             POST   login  login    login     ok          ok     ok        ok       ok        403         login
# The compound in public: its page and the verify page; minutes and conventions once published
compound_page            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
minutes_public           GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
minutes_version          GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
minutes_json             GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
minutes_markdown         GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
minutes_pdf              GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
convention               GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
convention_pdf           GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
convention_markdown      GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
decision_notice          GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
verify                   GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
receipt_check            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# Notices and the roster for checking are public; a phone asks for a correction once joined (others are sent to join)
notice_public            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
result_public            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
roster_public            GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
roster_phone             GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# A live page's state over HTTP for pages that poll (/live/m/<code>/<audience>/): the socket's rules, 403 for its 4403
live_facilitator         GET    403    403      403       ok          ok     ok        ok       ok        403         403
live_resident            GET    403    ok       403       ok          ok     ok        ok       ok        403         403
live_projector           GET    403    403      403       ok          ok     ok        ok       ok        403         403
live_projector@key       GET    ok     ok       ok        ok          ok     ok        ok       ok        ok          ok
# Websockets: /ws/m/<code>/<audience>/ (staff may look at what phones see)
ws:facilitator           WS     refuse refuse   refuse    accept      accept accept    accept   accept    refuse      refuse
ws:resident              WS     refuse accept   refuse    accept      accept accept    accept   accept    refuse      refuse
ws:projector             WS     refuse refuse   refuse    accept      accept accept    accept   accept    refuse      refuse
ws:projector@key         WS     accept accept   accept    accept      accept accept    accept   accept    accept      accept
""")
# fmt: on

# POST bodies where an empty one would be refused before the access question
# is answered: a phone's vote must be a valid one to show it is counted.
BODIES = {"vote": {"choice": "for", "key": "matrix"}}

# POSTs go as the app's pages send them: htmx (a refusal answers with its
# status, not a redirect carrying a flash message) and, for the vote, the
# JSON answer a phone's script reads (htmx gets 200 for every vote answer
# because htmx swaps only 2xx).
POST_HEADERS = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT": "application/json"}

HTTP_ROWS = [case for case, row in TABLE.items() if row.method != "WS"]
WS_ROWS = [case for case, row in TABLE.items() if row.method == "WS"]  # test_permission_matrix_sockets.py


def test_every_route_has_a_row_and_every_row_a_route():
    routed = {route.name for route in all_routes()}
    listed = {split_case(case)[0] for case in TABLE}
    assert not routed - listed, f"routes without a row in the permission matrix: {sorted(routed - listed)}"
    assert not listed - routed, f"rows for routes that no longer exist: {sorted(listed - routed)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as world:
        yield world


@pytest.fixture(autouse=True)
def no_counts_carried_over(fresh_rate_limits):
    """The world is the module's: wrong codes one row tried never slow the next."""


def _routes():
    return {route.name: route for route in all_routes()}


def _describe(response):
    where = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", HTTP_ROWS)
def test_http_row(case, world):
    row = TABLE[case]
    name, variant = split_case(case)
    route = _routes().get(name)
    assert route is not None, f"the table has a row for {name}, which is not routed"
    path, query = path_for(route, world, variant), query_for(world, variant)
    wrong = []
    for role in ROLES:
        # Each role in a savepoint: what one role's POST changes, the next does not see.
        with transaction.atomic():
            client = client_for(role, world)
            try:
                if row.method == "GET":
                    response = client.get(path, query)
                else:
                    response = client.post(
                        path + (f"?{_qs(query)}" if query else ""), BODIES.get(name, {}), **POST_HEADERS
                    )
            except Exception as error:  # noqa: BLE001 - reported with the cell
                got, detail = "exception", f"{type(error).__name__}: {error}"
            else:
                got, detail = outcome(response, world.meeting), _describe(response)
            transaction.set_rollback(True)
        expected = row.cells[role]
        if got not in MATCHES[expected]:
            wrong.append(f"{case} x {role}: expected {expected}, got {got} ({detail})")
    assert not wrong, "\n".join(wrong)


def _qs(query):
    from urllib.parse import urlencode

    return urlencode(query)
