"""Published minutes as files: Markdown (readable anywhere, diffable) and the
JSON export the fingerprint is computed over (minutes/canonical.py); the PDF
is minutes/pdf.py's. Each export prints the fingerprint.

The Markdown is written from the canonical content only, in the language it
is asked for, the same way every time: the verify page checks a Markdown
copy by writing it again from the version its fingerprint names. (So the
template minutes/export.md is part of what a copy is checked against: a
change to it leaves older downloads unverifiable as Markdown; their JSON
export always verifies.)
"""

import re

from django.template.loader import render_to_string
from django.utils import translation

from compounds.models import LedgerEntry

FINGERPRINT = re.compile(r"\b[0-9a-f]{64}\b")


def to_markdown(version, language="zh-hans"):
    with translation.override(language):
        text = render_to_string(
            "minutes/export.md", {"doc": version.content, "fingerprint": version.fingerprint, "version": version}
        )
    # Templates leave blank lines where tags were: one blank line between blocks.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def named_fingerprints(text):
    """The fingerprints a copy prints (its own, normally one): the hashes in
    it, less those of the audit chain it names."""
    named = set(FINGERPRINT.findall(text))
    return named - set(LedgerEntry.objects.filter(hash__in=named).values_list("hash", flat=True))
