"""The panels a live page is made of: their registry, and their rendering.

Apps register each panel's context function with `@panel` (in their
panels.py). A push reads the database once per audience (`panel_contexts`)
and renders that context in each language (`render_panels`); the full state
a (re)connecting socket gets is every panel of its audience (states.py).
Reads that are the same for all the audiences of one push (the current
speaker, the queue) are made once per push: context functions ask for them
through `once_per_render`.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .groups import AUDIENCES, RESIDENT


@dataclass(frozen=True)
class Panel:
    """A piece of a live page, replaced whole by element id `panel-<name>`.

    `context(meeting, audience)` returns the template context; the template
    receives it plus `meeting`, `audience` and `rev`. `coalesce` panels (live
    tallies, changed by every vote) are rendered and pushed at most every
    REALTIME_COALESCE_SECONDS. `follows`: names of (uncoalesced) panels this
    one sums up; it is pushed with any of them (`with_followers`), so the
    actions that change those need not name it.
    """

    name: str
    template: str
    audiences: tuple
    context: object
    coalesce: bool = False
    follows: tuple = ()


_panels: dict[str, Panel] = {}


def panel(name, template, audiences=AUDIENCES, coalesce=False, follows=()):
    """Register a panel's context function (apps do this in panels.py)."""

    def register(func):
        _panels[name] = Panel(name, template, tuple(audiences), func, coalesce, tuple(follows))
        return func

    return register


def with_followers(names):
    """`names` and the panels that follow any of them."""
    names = frozenset(names)
    return names | {p.name for p in _panels.values() if names.intersection(p.follows)}


def panels_for(audience):
    return [p for p in _panels.values() if audience in p.audiences]


# The reads shared by the context functions of one render (see panel_contexts).
_reads: ContextVar[dict | None] = ContextVar("panel_reads", default=None)


def once_per_render(name, read):
    """`read()`, made once for all the audiences a push renders together and
    shared under `name` (the speaker and the queue are the same for all of
    them). Outside `panel_contexts` it is just `read()`."""
    reads = _reads.get()
    if reads is None:
        return read()
    if name not in reads:
        reads[name] = read()
    return reads[name]


def panel_contexts(meeting, audience, names=None, reads=None):
    """{name: context} for this audience, all panels or only `names`.

    Contexts hold data and lazy translations, never translated text, so one
    context serves every language: a push reads the database once per
    audience, then renders it in each language. `reads`: a dict shared by
    the audiences of one push, where `once_per_render` keeps what is the same
    for all of them (None: shared by this audience's panels only).
    """
    token = _reads.set({} if reads is None else reads)
    try:
        return {p.name: p.context(meeting, audience) for p in panels_for(audience) if names is None or p.name in names}
    finally:
        _reads.reset(token)


def render_panels(meeting, audience, language, names=None, contexts=None):
    """{name: html} for this audience in `language`, all panels or only `names`
    (or those of `contexts`, from `panel_contexts`)."""
    if contexts is None:
        contexts = panel_contexts(meeting, audience, names)
    base = {"meeting": meeting, "audience": audience, "rev": meeting.revision}
    with translation.override(language):
        return {
            name: render_to_string(_panels[name].template, {**base, **context}) for name, context in contexts.items()
        }


def coalesce_seconds(audience):
    """How long a coalesced panel waits before it is rendered for `audience`.

    The projector and the console follow a vote burst closely; phones get the
    count less often: a phone has no use for three updates a second, and every
    push to a room of phones costs the server as much as a queue change.
    """
    if audience == RESIDENT:
        return settings.REALTIME_RESIDENT_COALESCE_SECONDS
    return settings.REALTIME_COALESCE_SECONDS
