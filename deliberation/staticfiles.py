"""Static files: served by the app itself, compressed, under hashed names.

A phone on a slow network (a council room's Wi-Fi, a WeChat in-app browser)
pays for every byte of its first load, so in every mode (production,
`make run`, the browser tests) the pages link each file under a name that
holds a hash of its content, and WhiteNoise serves it gzip- or
brotli-compressed with a year's cache lifetime: a later page, or the same
page next week, asks for nothing it already has, and a changed file has a
new name. `manage.py collectstatic` writes the hashed and compressed copies
into STATIC_ROOT; `make run` and the test servers run it first.
"""

from django.conf import settings
from django.http import HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    """Hashed names in development too.

    Django's manifest storage links the plain names while DEBUG is on, so
    `make run` (in DEBUG) would serve files that browsers cache for no time
    and revalidate on every page. The phones in a demo are real phones on
    the same Wi-Fi as in production: they get what production sends.
    """

    def url(self, name, force=False):
        return super().url(name, force=True)

    def create_compressor(self, **kwargs):
        # Brotli at its best quality takes seconds over the admin's scripts,
        # and browsers ask for it only over HTTPS: production's collectstatic
        # (DEBUG off) writes .br copies beside the .gz ones, development's
        # (plain HTTP: `make run`, the test servers) gzip alone.
        return super().create_compressor(use_brotli=not settings.DEBUG, **kwargs)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise as the first middleware after SecurityMiddleware.

    WhiteNoise answers with a FileResponse, a streaming response that
    Django's ASGI handler can only consume through an extra thread hop (and
    a warning per file). The files are a few kilobytes each, compressed: the
    request's worker thread reads one whole and answers with its bytes.
    """

    @staticmethod
    def serve(static_file, request):
        answer = static_file.get_response(request.method, request.META)
        body = b""
        if answer.file is not None:
            with answer.file as file:
                body = file.read()
        response = HttpResponse(body, status=int(answer.status))
        del response["Content-Type"]  # WhiteNoise's headers name the file's own type
        for key, value in answer.headers:
            response[key] = value
        return response
