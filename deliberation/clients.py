"""Where a request comes from, as every limit sees it."""

from django.conf import settings


def client_address(meta):
    """The client's address, trusting TRUSTED_PROXY_HOPS X-Forwarded-For entries."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return meta.get("REMOTE_ADDR", "") or "unknown"
