"""The canonical form of published minutes and its fingerprint.

The fingerprint is the SHA-256 of the content serialised one way only
(compounds/canonical.py, which the audit chain hashes too). The JSON export
is exactly that serialisation, so anyone can recompute it; the verify page
does, for a pasted or uploaded export.
"""

import json

from compounds.canonical import fingerprint, serialise

__all__ = ["export", "fingerprint", "read_export", "serialise"]


def export(content, print_):
    """The JSON export: the content as serialised for the fingerprint, and the fingerprint."""
    return serialise({"content": content, "fingerprint": print_})


def read_export(text):
    """The content of a JSON export, or None if `text` is not one. An export
    is {"fingerprint": ..., "content": {...}}: only the content is hashed."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and isinstance(data.get("content"), dict):
        return data["content"]
    return None
