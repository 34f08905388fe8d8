"""Static files as every server serves them (deliberation/staticfiles.py):
collected under hashed names with compressed copies, linked by those names
even in DEBUG, answered compressed with a year's cache lifetime.

Unit tests elsewhere run the plain storage (tests/settings.py); here the
project's own storage collects into a temporary STATIC_ROOT."""

import gzip

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from deliberation import settings as project_settings
from deliberation.staticfiles import HashedStaticFiles


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    production = {"STORAGES": project_settings.STORAGES, "STATIC_ROOT": root}
    # Collected as `make run` collects (DEBUG: gzip alone, in a second).
    with override_settings(DEBUG=True, **production):
        call_command("collectstatic", "--noinput", verbosity=0)
    with override_settings(WHITENOISE_AUTOREFRESH=False, WHITENOISE_USE_FINDERS=False, **production):
        yield root


def test_production_collects_brotli_copies_too(settings):
    settings.STORAGES = project_settings.STORAGES
    settings.DEBUG = False
    assert HashedStaticFiles().create_compressor().use_brotli
    settings.DEBUG = True
    assert not HashedStaticFiles().create_compressor().use_brotli


def test_the_project_links_hashed_names_in_every_mode(collected):
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            url = static("js/live.js")
        assert url.startswith("/static/js/live.") and url.endswith(".js") and url != "/static/js/live.js", url
    assert (collected / url.removeprefix("/static/")).exists()
    assert (collected / (url.removeprefix("/static/") + ".gz")).exists()


def test_a_hashed_file_is_served_compressed_and_cached_for_good(collected):
    url = static("js/live.js")
    client = Client()
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert plain.content == (django_settings.BASE_DIR / "static" / "js" / "live.js").read_bytes()
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    assert "immutable" in zipped["Cache-Control"] and "max-age=315360000" in zipped["Cache-Control"]
    assert zipped["Content-Type"].startswith("text/javascript")
    assert "Accept-Encoding" in zipped["Vary"]
    # A browser that kept it is told it still holds it; HEAD sends no body.
    again = client.get(url, headers={"If-None-Match": zipped["ETag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.content == b""
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    # Served before any session or language is looked at: no cookie set.
    assert not plain.cookies


def test_an_unknown_static_file_is_a_404(collected):
    assert Client().get("/static/js/nothing.0123456789ab.js").status_code == 404
