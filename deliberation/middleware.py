"""Language: Simplified Chinese unless this browser chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a
projector laptop or a phone with an English system locale would show the
room English. Here only an explicit choice (the language switcher's cookie)
changes the language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class ChosenLanguageMiddleware(MiddlewareMixin):
    # MiddlewareMixin makes it usable in Django's async middleware chain too:
    # a sync-only middleware in the middle of the chain costs every request
    # two extra thread switches under ASGI.

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class OneThreadMiddleware:
    """Last in MIDDLEWARE, and sync-only on purpose: it keeps Django's whole
    middleware chain in one thread per request under ASGI.

    Django runs an async-capable middleware (all of Django's own) in async
    mode when the one below it is async, and then hops to a thread and back
    for each of its process_request/process_response calls: some twenty
    thread switches per request through the event loop that also feeds the
    websockets. A sync-only middleware at the bottom turns the chain above it
    sync, so a request costs a handful of switches instead.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
