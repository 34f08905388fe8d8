"""A compound's households as staff pages list them: found by their label,
a page at a time (a 3,000-household roster is tens of thousands of pixels
long on one page; issue 14).

The search keeps the words in the address (?q=3幢2单元&page=2), so a page
link, a reload or a link sent to a colleague shows the same list.
"""

import unicodedata

from django.core.paginator import Paginator
from django.db.models import CharField
from django.db.models.functions import Concat

PAGE_SIZE = 50
QUERY_MAX = 60


def query_of(request):
    """The label typed into the search box, as households are labelled:
    full-width digits made plain, spaces and control characters dropped
    ("3幢 2单元 502" finds 3幢2单元502)."""
    text = unicodedata.normalize("NFKC", request.GET.get("q", "")[: QUERY_MAX * 4])
    return "".join(ch for ch in text if ch.isprintable() and not ch.isspace())[:QUERY_MAX]


def matching(households, query):
    """Those of `households` whose label (building, unit, room) contains `query`."""
    if not query:
        return households
    label = Concat("unit__building__name", "unit__name", "room", output_field=CharField())
    return households.alias(full_label=label).filter(full_label__icontains=query)


def page_of(request, households):
    """The page ?page= asks for (the first or the last for a bad number)."""
    return Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
