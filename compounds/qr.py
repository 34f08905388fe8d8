"""QR codes as SVG data URIs (allowed by our CSP's img-src data:)."""

import segno
from django.conf import settings


def qr_data_uri(text):
    """An SVG with a viewBox and no fixed size: CSS sizes it (mm on a slip,
    vh on the projector). Error correction M survives a smudged slip or glare
    on a screen; the standard 4-module quiet zone keeps scanners happy."""
    return segno.make(text, error="m").svg_data_uri(omitsize=True, border=4, dark="#000", light="#fff")


def absolute_url(request, path):
    """An address phones can open: PUBLIC_BASE_URL when set (the server's LAN
    or public name), else the host the request came to."""
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)
