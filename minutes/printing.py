"""Minutes and conventions as printable A4 PDFs (minutes/pdf.py renders):
the same document the pages show, with the fingerprint on every page."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from minutes import pdf
from proposals.record import rendered_text


def minutes_pdf(version, language, missing_ok=False):
    """Published minutes as PDF bytes (None if `missing_ok` and the renderer's
    system libraries are missing)."""
    with translation.override(language):
        html = render_to_string(
            "minutes/print.html",
            {"doc": version.content, "fingerprint": version.fingerprint, "title": _("Minutes")},
        )
        footer = _("Fingerprint (SHA-256)") + ": " + version.fingerprint
        title = version.content["record"]["meeting"]["title"]
    return _render(html, title, footer, missing_ok)


def convention_pdf(proposal, version, language, missing_ok=False):
    """A convention's text in force as PDF bytes."""
    with translation.override(language):
        html = render_to_string(
            "minutes/print_convention.html",
            {"proposal": proposal, "version": version, "rendered": rendered_text(version)},
        )
        footer = " · ".join([proposal.compound.name, _("Version %(n)s") % {"n": version.number}])
    return _render(html, version.title, footer, missing_ok)


def _render(html, title, footer, missing_ok):
    try:
        return pdf.render_pdf(html, title=title, footer=footer)
    except pdf.PdfUnavailable:
        if missing_ok:
            return None
        raise
