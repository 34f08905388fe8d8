"""One way to write a value down, and its fingerprint.

The fingerprint is the SHA-256 of the content serialised one way only: JSON,
keys sorted, no insignificant whitespace, UTF-8 (Chinese as is). Anyone can
recompute it from the JSON. Published minutes (minutes/canonical.py) and the
audit chain (compounds/ledger.py) both hash this form.
"""

import hashlib
import json


def serialise(content):
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(content):
    return hashlib.sha256(serialise(content).encode("utf-8")).hexdigest()
