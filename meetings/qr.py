"""QR codes as SVG data URIs (allowed by our CSP's img-src data:)."""

import segno
from django.conf import settings


def qr_data_uri(text, scale=8, dark="#111"):
    # Error correction M survives a smudged slip or a glare on the projector.
    return segno.make(text, error="m").svg_data_uri(scale=scale, dark=dark, border=2)


def absolute_url(request, path):
    """An address phones can open: PUBLIC_BASE_URL when set (the server's LAN
    or public name), else the host the request came to."""
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)
