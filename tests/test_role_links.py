"""Each staff role is shown what it may do, and nothing else (issue 14).

The staff home and the consoles are crawled as each role: every link a role
is shown answers it (GET: 200 once redirects are followed, never the login
page), every button and form it is shown is let through (POST with an empty
body: anything but 403 or the login page), and the pages of the compound's
staff a role is not shown refuse it (403). The pages linked from there
(proposals, minutes, roster, codes, ballots, ...) are crawled one step
further, so their links are checked too.

"Shown" is what a browser shows: console panels are rendered once for every
staff role, and the console's body says what this user may do
(data-can-run="0", ...); static/css/app.css hides the matching ".run-only"
etc. Those rules are read from the stylesheet itself, so the test follows it.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from tests.access_world import client_for, module_world
from voting.models import Poll

STAFF_ROLES = ("facilitator", "worker", "secretary", "observer", "superuser")
HIDE_RULE = re.compile(r'body\[data-can-([\w-]+)="0"\]\s+\.([\w-]+)\s*\{\s*display:\s*none')
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Not part of what a role may do in a compound: leaving, the language, the admin.
SKIP_ROUTES = {"logout", "set_language", "admin:index"}


def hiding_rules():
    """[(ability, class)]: body[data-can-<ability>="0"] hides .<class>."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    rules = HIDE_RULE.findall(css)
    assert ("run", "run-only") in rules, "the console's role rules moved: teach this test where"
    return rules


class Shown(HTMLParser):
    """The links and posting elements of a page that its user sees."""

    def __init__(self, rules):
        super().__init__(convert_charrefs=True)
        self.rules = rules
        self.hidden_classes = set()
        self.stack = []  # (tag, hides)
        self.gets, self.posts = [], []

    @property
    def hidden(self):
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.hidden_classes = {cls for ability, cls in self.rules if attrs.get(f"data-can-{ability}") == "0"}
        classes = set((attrs.get("class") or "").split())
        hides = "hidden" in attrs or tag == "template" or bool(classes & self.hidden_classes)
        if tag not in VOID:
            self.stack.append((tag, hides))
        if self.hidden or hides:
            return
        if tag == "a" and attrs.get("href"):
            self.gets.append(attrs["href"])
        if attrs.get("hx-get"):
            self.gets.append(attrs["hx-get"])
        if attrs.get("hx-post"):
            self.posts.append(attrs["hx-post"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "post" and not attrs.get("hx-post"):
            self.posts.append(attrs.get("action") or "")

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return


def shown(html, rules):
    parser = Shown(rules)
    parser.feed(html)
    return parser.gets, parser.posts


def route_of(url):
    """The route name of a link on this site, or None (elsewhere, a fragment, a static file)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name


def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def answers_get(client, url):
    response = client.get(url, follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    return response.status_code, urlsplit(final).path


def refuses_post(client, url):
    """Why an empty POST to `url` is refused for access, or None."""
    response = client.post(url, HTTP_HX_REQUEST="true")
    if response.status_code == 403:
        return "403"
    location = response.get("Location", "")
    if response.status_code in (301, 302) and urlsplit(location).path == reverse(settings.LOGIN_URL):
        return "login"
    return None


def _with_a_poll_not_yet_open(world):
    """So that its Edit link is on the console too."""
    Poll.objects.create(meeting=world.meeting, item=world.item, title="未开始")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker, extend=_with_a_poll_not_yet_open) as world:
        yield world


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_link_a_role_is_shown_answers_it(role, world):
    rules = hiding_rules()
    client = client_for(role, world)
    starts = [reverse("staff_home")]
    for meeting in (world.meeting, world.closed_meeting):
        starts.append(reverse("console", kwargs={"meeting_id": meeting.pk}))

    checked, crawled, refused, seen_routes = set(), set(), [], set()
    queue = [(url, 0) for url in starts]
    while queue:
        url, depth = queue.pop(0)
        response = client.get(url)
        assert response.status_code == 200, f"{role}: {url} answered {response.status_code}"
        gets, posts = shown(response.content.decode(), rules)
        for link in gets:
            name = route_of(link)
            if name is None or name in SKIP_ROUTES:
                continue
            seen_routes.add(name)
            target = local(link)
            if target not in checked:
                checked.add(target)
                status, final = answers_get(client, target)
                if status != 200 or final == reverse(settings.LOGIN_URL):
                    refused.append(f"GET {target} (on {url}): {status} at {final}")
            # One page of each kind further: its own links are checked in turn.
            if depth == 0 and name not in crawled and target.startswith("/staff/"):
                crawled.add(name)
                queue.append((target, 1))
        for action in posts:
            name = route_of(action or url)
            if name is None or name in SKIP_ROUTES:
                continue
            seen_routes.add(name)
            why = refuses_post(client, local(action or url))
            if why:
                refused.append(f"POST {action} (on {url}): {why}")
    assert not refused, f"{role} is shown what it may not do:\n" + "\n".join(refused)

    # The compound's staff pages a role is not shown refuse it.
    urls = {
        "roster": reverse("roster", kwargs={"compound_id": world.compound.pk}),
        "credential_list": reverse("credential_list", kwargs={"compound_id": world.compound.pk}),
        "proposal_list": reverse("proposal_list", kwargs={"compound_id": world.compound.pk}),
        "meeting_new": reverse("meeting_new", kwargs={"compound_id": world.compound.pk}),
        "meeting_edit": reverse("meeting_edit", kwargs={"meeting_id": world.meeting.pk}),
        "signin": reverse("signin", kwargs={"meeting_id": world.meeting.pk}),
        "poll_new": reverse("poll_new", kwargs={"meeting_id": world.meeting.pk}),
        "poll_edit": reverse(
            "poll_edit",
            kwargs={"meeting_id": world.meeting.pk, "poll_id": Poll.objects.get(title="未开始").pk},
        ),
        "poll_ballots": reverse("poll_ballots", kwargs={"meeting_id": world.meeting.pk, "poll_id": world.open_poll.pk}),
    }
    for name, url in urls.items():
        status = client.get(url).status_code
        if name in seen_routes:
            assert status == 200, f"{role} is shown {name} but it answers {status}"
        else:
            assert status == 403, f"{role} is not shown {name}: it should refuse ({status})"


@pytest.mark.django_db
def test_roles_see_different_things(world):
    """The crawl above proves nothing if everyone saw nothing: each role is
    shown at least what its job needs, and not what another's is."""
    rules = hiding_rules()
    wanted = {
        "facilitator": ({"roster", "credential_list", "signin", "poll_new", "poll_ballots", "meeting_status"}, set()),
        "worker": ({"roster", "credential_list", "signin", "poll_new", "poll_ballots"}, {"meeting_status"}),
        "secretary": ({"proposal_list", "meeting_edit", "minutes_page"}, {"roster", "poll_new", "signin"}),
        "observer": ({"console", "certificate", "minutes_page"}, {"meeting_edit", "proposal_list", "poll_ballots"}),
    }
    pages = [reverse("staff_home")] + [
        reverse("console", kwargs={"meeting_id": meeting.pk}) for meeting in (world.meeting, world.closed_meeting)
    ]
    for role, (shown_to, not_shown_to) in wanted.items():
        client = client_for(role, world)
        names = set()
        for url in pages:
            gets, posts = shown(client.get(url).content.decode(), rules)
            names |= {route_of(link) for link in gets + posts}
        assert shown_to <= names, f"{role} misses {shown_to - names}"
        assert not names & not_shown_to, f"{role} is shown {names & not_shown_to}"
