"""What the public sees (issue 13): every page anyone may open without
logging in, read as a stranger, holds no phone number, ID data, household
code, owner's name or hidden owner key, and no household's own choice.

The pages are those the permission matrix lets an anonymous visitor open
(tests/test_permission_matrix.py), against one world with everything filled
in: a live meeting with votes, proposals with amendments and comments,
published minutes, an adopted convention. A slip's own link is left out: it
is opened with that household's code and shows that household.
"""

import pytest

from compounds.models import Credential, Household
from tests.access_world import all_routes, build_world, new_client, path_for, query_for, split_case
from tests.test_permission_matrix import TABLE

# Opened with a household's own code, and showing that household.
OWN_CODE = {"household_link"}


def public_cases():
    return [
        case
        for case, row in TABLE.items()
        if row.method == "GET" and row.cells["anon"] in ("ok", "phone") and split_case(case)[0] not in OWN_CODE
    ]


@pytest.fixture
def world(compound, households, meeting):
    for n, household in enumerate(Household.objects.filter(compound=compound)):
        household.owner_names = f"张{n}伟"
        household.phone = f"1380013{n:04d}"
        household.owner_key = f"{n:02d}" + "ab" * 31
        household.save()
    return build_world(compound, households, meeting)


def secrets(compound):
    households = Household.objects.filter(compound=compound)
    codes = Credential.objects.filter(household__compound=compound)
    return {
        **{h.phone: "a phone number" for h in households if h.phone},
        **{h.owner_names: "an owner's name" for h in households if h.owner_names},
        **{h.owner_key: "an owner key" for h in households if h.owner_key},
        **{c.code: "a household code" for c in codes},
        **{c.display_code: "a household code" for c in codes},
    }


@pytest.mark.django_db
def test_the_public_pages_are_the_ones_the_matrix_opens_to_anyone():
    names = {split_case(case)[0] for case in public_cases()}
    assert {"compound_page", "minutes_public", "minutes_json", "convention", "proposal_page", "proposal_json"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("case", public_cases())
def test_a_public_page_holds_nothing_private(case, world):
    routes = {route.name: route for route in all_routes()}
    name, variant = split_case(case)
    response = new_client().get(path_for(routes[name], world, variant), query_for(world, variant))
    assert response.status_code < 400, response.status_code
    body = response.content.decode("utf-8", "replace")
    found = {what for secret, what in secrets(world.compound).items() if secret in body}
    assert not found, f"{case} shows {sorted(found)}"
    assert '"participants"' not in body and '"choice"' not in body
