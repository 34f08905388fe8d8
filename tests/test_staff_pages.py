"""The staff pages after a whole demo meeting run by new users (issue 14):
the new-poll form, the worker's ballot page, the certificate's wording, saved
forms that say so, the roster and code lists in pages, the slips' filter,
the sign-in page's live refresh. (Who is shown what: test_role_links.py;
the same screens in a browser: e2e/test_staff_pages.py.)"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from compounds.actions import import_roster, issue_missing_codes
from compounds.models import Building, BuildingUnit, Household, StaffRole
from meetings import actions as meeting_actions
from proposals import actions as proposal_actions
from tests.conftest import make_staff
from voting import actions
from voting.forms import PollForm
from voting.models import Poll

SAMPLE = (Path(__file__).parent / "data" / "roster-sample.csv").read_bytes()


@pytest.fixture
def worker(compound):
    return make_staff(compound, "wkr", StaffRole.Role.WORKER)


@pytest.fixture
def shops(compound):
    """1幢's shops, in the unnamed unit a roster gives them."""
    unit = BuildingUnit.objects.create(building=Building.objects.get(compound=compound, name="1幢"), name="")
    return Household.objects.create(compound=compound, unit=unit, room="商铺1", kind="shop", area="50")


def field_block(html, name):
    """The markup of one field of the poll form (its .field block)."""
    match = re.search(rf'<div class="field field-{name}"[^>]*>.*?</div>', html, re.S)
    assert match, f"no field {name}"
    return match.group(0)


# --- The new-poll form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_poll_form_names_what_each_field_needs(client, meeting, facilitator, shops):
    client.force_login(facilitator)
    html = client.get(reverse("poll_new", kwargs={"meeting_id": meeting.pk})).content.decode()
    expected = {
        "buildings": "scope=buildings",
        "building_unit": "scope=unit",
        "options": "kind=choice,approval,budget",
        "option_proposals": "kind=choice,approval,budget",
        "fund": "kind=budget",
        "budget": "kind=budget",
        "share_basis": "kind=budget",
        "seats": "kind=choice,approval",
        "tie_break": "kind=choice,approval",
        "rule": "kind=yes_no",
        "proposal": "kind=yes_no",
        "amendment": "kind=yes_no",
    }
    for name, condition in expected.items():
        assert f'data-show-when="{condition}"' in field_block(html, name), name
    for name in ("title", "kind", "scope", "item", "secret", "proxy_cap"):
        assert "data-show-when" not in field_block(html, name), name
    assert "js/show_when" in html

    # The buildings are a fieldset with a legend: no label left floating beside the boxes.
    buildings = field_block(html, "buildings")
    assert "<legend>Buildings</legend>" in buildings and "<label for" not in buildings
    assert "1幢" in buildings and "地下车库" not in buildings  # the garage has no voting household
    # A vote of one building unit offers the stairwells, not 1幢's shops' unnamed unit or the garage.
    units = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", field_block(html, "building_unit"))
    assert units == ["1幢1单元", "2幢1单元"]
    # A yes/no question chooses among the yes/no rules only.
    assert "plurality" not in field_block(html, "rule")


def poll_data(**changes):
    data = {"title": "加装电梯", "kind": "yes_no", "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_poll_form_keeps_only_what_the_scope_and_kind_use(meeting, compound):
    building = Building.objects.get(compound=compound, name="1幢")
    unit = BuildingUnit.objects.get(building=building, name="1单元")
    # The whole compound: buildings and a unit sent along (no JavaScript) are not kept.
    form = PollForm(poll_data(scope="compound", buildings=[building.pk], building_unit=unit.pk), meeting=meeting)
    assert form.is_valid(), form.errors
    poll = actions.create_poll(form)
    assert list(poll.buildings.all()) == [] and poll.building_unit is None

    # Some buildings: at least one.
    form = PollForm(poll_data(scope="buildings"), meeting=meeting)
    assert not form.is_valid() and "buildings" in form.errors

    # A choice among options: no rule to choose (ranked by support), no proposal.
    form = PollForm(poll_data(kind="choice", rule=None, options="甲\n乙"), meeting=meeting)
    assert form.is_valid(), form.errors
    assert actions.create_poll(form).rule == "plurality"

    # A yes/no question needs its rule (its field is hidden only for options).
    form = PollForm(poll_data(rule=None), meeting=meeting)
    assert not form.is_valid() and "rule" in form.errors


@pytest.mark.django_db
def test_new_poll_preselects_the_item_the_meeting_is_on(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("poll_new", kwargs={"meeting_id": meeting.pk})
    first = meeting_actions.add_item(meeting, "开场", 5)
    second = meeting_actions.add_item(meeting, "加装电梯", 20)
    # Before the meeting starts: the item it will take up first.
    assert client.get(url).context["form"].initial["item"] == first.pk
    meeting_actions.open_meeting(meeting)
    meeting_actions.start_item(meeting, second.pk)
    html = client.get(url).content.decode()
    assert re.search(rf'<option value="{second.pk}" selected>加装电梯</option>', html)
    # Putting a proposal to the vote: the item that debates it.
    proposal = proposal_actions.create_proposal(meeting.compound, "motion", "停车", "停车新规。", user=facilitator)
    proposal_actions.place_on_item(proposal, first)
    form = client.get(url, {"proposal": proposal.pk}).context["form"]
    assert form.initial["item"] == first.pk and form.initial["proposal"] == proposal.pk


@pytest.mark.django_db
def test_a_saved_poll_says_so(client, meeting, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("poll_new", kwargs={"meeting_id": meeting.pk}), poll_data(), follow=True)
    assert "Vote saved: 加装电梯." in response.content.decode()
    poll = Poll.objects.get()
    url = reverse("poll_edit", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    response = client.post(url, poll_data(title="加装电梯（改）"), follow=True)
    assert "Changes saved to the vote: 加装电梯（改）." in response.content.decode()


@pytest.mark.django_db
def test_meeting_settings_and_agenda_say_they_are_saved(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("meeting_edit", kwargs={"meeting_id": meeting.pk})
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["scheduled_start"] = ""
    response = client.post(url, {**data, "title": "新名字"}, follow=True)
    assert "Meeting settings saved." in response.content.decode()
    add = reverse("agenda_item_add", kwargs={"meeting_id": meeting.pk})
    response = client.post(add, {"title": "议题", "planned_minutes": 10, "next": url}, follow=True)
    assert "Agenda item added." in response.content.decode()
    # On the console the form stays and clears itself: it carries its note.
    console = client.get(reverse("console", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert 'class="saved-note small" role="status" data-saved-text="Added to the agenda."' in console


# --- The worker's ballot page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_ballot_page_shows_proxy_fields_for_proxies_only(client, poll, worker):
    client.force_login(worker)
    html = client.get(
        reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    ).content.decode()
    for name in ("proxy_holder", "proxy_reference"):
        assert 'data-show-when="one-channel=proxy"' in field_block(html, name)
    for name in ("household", "choice", "channel", "requested_by"):
        assert "data-show-when" not in field_block(html, name)
    # Named for what it is, and the example in the poll's own words.
    assert "Who handed in the vote" in html and "Who asked" not in html
    assert "For example: 3幢2单元502 for." in html and "同意" not in html
    assert '<option value="for">for</option>' in html


@pytest.mark.django_db
def test_ballot_page_example_in_chinese_uses_the_choice_labels(client, poll, worker, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(worker)
    html = client.get(
        reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    ).content.decode()
    assert "3幢2单元502 赞成" in html and "3幢2单元502 同意" not in html


@pytest.mark.django_db
def test_paper_ballots_read_the_labels_shown(client, poll, worker, households):
    client.force_login(worker)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    lines = f"{households[0].label} for\n{households[1].label} 赞成\n{households[2].label} 反对"
    response = client.post(url, {"batch-lines": lines})
    assert response.status_code == 302
    assert sorted(poll.ballots.values_list("choice", flat=True)) == ["against", "for", "for"]
    response = client.post(url, {"batch-lines": f"{households[3].label} maybe"})
    assert "unknown vote “maybe” (for, against or abstain)" in response.content.decode()


@pytest.mark.django_db
def test_approval_ballots_are_ticked_not_ctrl_clicked(client, meeting, worker, households):
    meeting_actions.open_meeting(meeting)
    meeting_actions.join_meeting(meeting, households[0])
    poll = Poll.objects.create(meeting=meeting, title="微项目", kind="approval", rule="plurality", seats=1)
    options = [poll.options.create(label=label, position=n) for n, label in enumerate(("书屋", "车棚", "路灯"))]
    actions.open_poll(poll)
    client.force_login(worker)
    url = reverse("poll_ballots", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    html = client.get(url).content.decode()
    choice = field_block(html, "choice")
    assert "<select" not in choice and choice.count('type="checkbox" name="one-choice"') == 3
    assert "<legend>" in choice
    assert '<ol class="small option-numbers"><li>书屋</li><li>车棚</li><li>路灯</li></ol>' in html
    data = {"one-household": households[0].label, "one-choice": [options[0].pk, options[2].pk], "one-channel": "paper"}
    assert client.post(url, data).status_code == 302
    assert poll.ballots.get().choice == f"{options[0].pk},{options[2].pk}"


# --- The certificate -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_says_its_conditions_in_words(client, poll, facilitator, households):
    for household in households[:4]:
        actions.cast(poll, household, "for", channel="hand", user=facilitator)
    actions.close_poll(poll)
    client.force_login(facilitator)
    html = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert "4 of 4 households (100%), more than half required — met ✓" in html
    assert "4 / 4" not in html and "&gt; 1/2" not in html
    assert "Outcome: Adopted" in html


def test_condition_words_for_every_measure():
    from django.utils import translation

    from voting.templatetags.certificate import condition_text

    with translation.override("en"):
        english_condition_words(condition_text)
    with translation.override("zh-hans"):
        area = {"name": "participation_area", "measure": "area", "numerator": "21000.00", "denominator": "30000.00"}
        assert condition_text({**area, "threshold": "2/3", "inclusive": True, "met": True}).endswith(
            "面积21000.00㎡，占30000.00㎡的70%，须达到三分之二以上（含）——已达到 ✓"
        )


def english_condition_words(condition_text):

    area = {"name": "participation_area", "measure": "area", "numerator": "21000.00", "denominator": "30000.00"}
    assert condition_text({**area, "threshold": "2/3", "inclusive": True, "met": True}) == (
        "participation by area: 21000.00 of 30000.00 m² of area (70%), at least two thirds required — met ✓"
    )
    heads = {"name": "approval_heads", "measure": "heads", "numerator": 2, "denominator": 3}
    assert condition_text({**heads, "threshold": "3/4", "inclusive": True, "met": False}) == (
        "approval by owners: 2 of 3 owners (66.67%), at least three quarters required — not met ✗"
    )
    none = {"name": "for_over_against", "measure": "households", "numerator": 0, "denominator": 0}
    assert "0 of 0 households (—), more than half required" in condition_text(
        {**none, "threshold": "1/2", "inclusive": False, "met": False}
    )


# --- Roster and codes: a page at a time, found by label ----------------------------------------------


@pytest.fixture
def big_compound(db):
    """The sample roster: 252 households (244 vote), 10 buildings, shops and a garage."""
    report = import_roster("青梧苑", SAMPLE, "roster-sample.csv")
    return report.compound


@pytest.mark.django_db
def test_roster_in_pages_and_found_by_label(client, big_compound):
    user = make_staff(big_compound, "w250", StaffRole.Role.WORKER)
    client.force_login(user)
    url = reverse("roster", kwargs={"compound_id": big_compound.pk})
    rows = re.compile(r'<tr id="household-\d+">')
    first = client.get(url).content.decode()
    assert len(rows.findall(first)) == 50 and "Page 1 of 6" in first
    assert 'href="?page=2#households"' in first
    last = client.get(url, {"page": 6}).content.decode()
    assert len(rows.findall(last)) == 2
    assert client.get(url, {"page": "junk"}).status_code == 200  # a bad number shows the first page

    found = client.get(url, {"q": "3幢 2单元"}).content.decode()  # spaces as people type them
    assert len(rows.findall(found)) == 12 and "12 households match “3幢2单元”." in found
    assert "3幢2单元502" in found and "3幢1单元" not in found
    # Full-width digits (a Chinese IME) find the same.
    assert "3幢2单元502" in client.get(url, {"q": "３幢２单元５０２"}).content.decode()
    # The search is kept in the page links.
    wide = client.get(url, {"q": "单元"}).content.decode()
    assert 'href="?q=%E5%8D%95%E5%85%83&amp;page=2#households"' in wide
    assert "No household has such a label" in client.get(url, {"q": "99幢"}).content.decode()


@pytest.mark.django_db
def test_household_codes_in_pages_and_found_by_label(client, big_compound):
    user = make_staff(big_compound, "w250", StaffRole.Role.WORKER)
    issue_missing_codes(big_compound, user)
    client.force_login(user)
    url = reverse("credential_list", kwargs={"compound_id": big_compound.pk})
    rows = re.compile(r'<tr id="household-\d+">')
    first = client.get(url).content.decode()
    assert len(rows.findall(first)) == 50 and "Page 1 of 5" in first  # 244 voting households
    assert "244 voting households." in first
    found = client.get(url, {"q": "10幢2单元6"}).content.decode()
    assert len(rows.findall(found)) == 2 and "10幢2单元601" in found and "10幢2单元602" in found
    assert "Page 1 of" not in found
    page = client.get(url, {"q": "幢", "page": 5}).content.decode()
    assert "Page 5 of 5" in page and 'href="?q=%E5%B9%A2&amp;page=4#households"' in page


@pytest.mark.django_db
def test_slips_filter_lists_only_buildings_with_codes(client, big_compound):
    user = make_staff(big_compound, "w250", StaffRole.Role.WORKER)
    issue_missing_codes(big_compound, user)
    client.force_login(user)
    html = client.get(reverse("credential_slips", kwargs={"compound_id": big_compound.pk}), {"building": 0})
    assert html.status_code == 404  # not a building of this compound
    html = client.get(reverse("credential_slips", kwargs={"compound_id": big_compound.pk})).content.decode()
    select = re.search(r'<select id="slips-building".*?</select>', html, re.S).group(0)
    assert "10幢" in select and "地下车库" not in select


@pytest.mark.django_db
def test_roster_page_says_what_becomes_of_the_id_tail(client, big_compound):
    user = make_staff(big_compound, "w250", StaffRole.Role.WORKER)
    client.force_login(user)
    html = client.get(reverse("roster", kwargs={"compound_id": big_compound.pk})).content.decode()
    assert "it is not stored" not in html
    assert "only a keyed hash of the name and the tail" in html


# --- Sign-in: a live page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_signin_page_listens_to_the_room(client, meeting, facilitator, households):
    meeting_actions.open_meeting(meeting)
    client.force_login(facilitator)
    url = reverse("signin", kwargs={"meeting_id": meeting.pk})
    html = client.get(url).content.decode()
    assert f'data-live="/ws/m/{meeting.code}/facilitator/"' in html and "js/signin.js" in html
    meeting.refresh_from_db()
    assert f'data-rev="{meeting.revision}"' in html
    # What signin.js asks when attendance changed: the list, the counts and the record.
    meeting_actions.join_meeting(meeting, households[0])
    part = client.get(url, {"q": households[0].label}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="signin-results")
    part = part.content.decode()
    assert "state-phone" in part and "Joined by phone" in part
    assert '<p id="signin-counts" class="signin-counts" hx-swap-oob="true">' in part
    assert 'id="signin-log" hx-swap-oob="true"' in part


def test_staff_form_labels_are_translatable():
    """Every label of a staff form is a translation ("Item" once showed in
    English on a Chinese page): a lazy string, from gettext_lazy or a model
    field's verbose_name, never a name Django made up from the field's."""
    import importlib
    import inspect

    from django import forms
    from django.utils.functional import Promise

    untranslated = []
    for module_name in ("voting.forms", "meetings.forms", "proposals.forms", "compounds.views_roster"):
        module = importlib.import_module(module_name)
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module_name:
                untranslated += [
                    f"{name}.{f}" for f, field in form.base_fields.items() if not isinstance(field.label, Promise)
                ]
    assert not untranslated
