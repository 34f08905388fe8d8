"""Numbers in URLs are ids a database column can hold (deliberation/converters.py):
`<int:...>` takes any number, and one past 2**63 looked up through a foreign
key raised OverflowError (a 500) on SQLite; the fuzz tests met it in the
ballot photo's URL."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter


def patterns(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_no_route_takes_an_unbounded_number():
    unbounded = [
        str(entry.pattern)
        for entry in patterns()
        if any(isinstance(converter, IntConverter) for converter in entry.pattern.converters.values())
    ]
    assert not unbounded, f"use <id:...> (deliberation/converters.py), not <int:...>: {unbounded}"


def test_an_id_past_64_bits_is_not_found(client, django_user_model, meeting):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    path = reverse("ballot_photo", args=[meeting.pk, 1, 1]).replace("/1/photo/", f"/{2**63}/photo/")
    assert client.get(path).status_code == 404
