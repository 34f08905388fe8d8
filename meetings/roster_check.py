"""The roster as published for checking before a vote: every voting
household's place, kind and exclusive area, never a name; its totals (owner
heads per SPC 法释〔2009〕7号 Art. 9, area per Art. 8); and a version, the
fingerprint of exactly what a vote would count, so a certificate can name
the roster it froze and anyone can see whether it changed since.
"""

from compounds.canonical import fingerprint
from compounds.electorate import Unit, format_area, summarize
from compounds.models import Household


def households(compound):
    return (
        Household.objects.filter(compound=compound)
        .voting()
        .select_related("unit__building")
        .order_by("unit__building__sort_key", "unit__sort_key", "sort_key", "pk")
    )


def version(rows):
    """The fingerprint of a roster as counting sees it: each household's
    label, kind, area and owner key (a keyed hash, compounds/identity.py:
    it tells one owner of several units apart without naming anyone)."""
    return fingerprint([[h.label, h.kind, format_area(h.area), h.owner_key, h.developer_unsold] for h in rows])


def published(compound):
    """(rows, totals, version) for the public page."""
    rows = list(households(compound))
    totals = summarize(Unit(str(h.pk), h.area, h.owner_key, h.developer_unsold) for h in rows)
    return rows, totals, version(rows)
