"""Owner identity without identity numbers.

Counting owner heads (SPC interpretation 法释〔2009〕7号 Art. 9) needs to know
when two units belong to the same person. A roster gives the owner's names and
the last six characters of the ID number. We keep neither the digits nor
anything they can be recovered from:

- The digits are never stored or logged; only a key derived from them is.
- The key is an HMAC under settings.OWNER_ID_KEY, not a plain hash: a tail has
  only 10^6 values, so an unkeyed hash of (name, tail) is reversed by trying
  them all in a second.
- Identity is names AND tail. Six-digit tails collide within a 3,000-household
  compound, and common names collide too (two different 钱怡平); together they
  almost never do.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# Co-owners are written in one cell: 孙建静、钟轩 / 孙建静,钟轩 / 孙建静 钟轩.
NAME_SEPARATORS = re.compile(r"[、,，/;；\s]+")


def split_names(names):
    """The individual names in a cell, in the order written."""
    text = unicodedata.normalize("NFKC", names or "")
    return [part for part in (p.strip() for p in NAME_SEPARATORS.split(text)) if part]


def normalize_tail(id_tail):
    # NFKC turns full-width digits (０４８８４５), typed with a Chinese IME, into ASCII.
    return unicodedata.normalize("NFKC", id_tail or "").strip().upper()


def owner_key(names: str, id_tail: str) -> str:
    """A stable key for one owner (or one set of co-owners), or "" if unknown.

    The order of co-owners does not matter. Both the names and the tail are
    needed: with either missing we cannot tell the owner from a namesake or a
    tail collision, so the key is "" and the unit counts as its own head
    (compounds.electorate.head_of) rather than being merged with a stranger's.
    """
    normalized_names = "、".join(sorted(split_names(names)))
    tail = normalize_tail(id_tail)
    if not normalized_names or not tail:
        return ""
    message = f"{normalized_names}|{tail}".encode()
    return hmac.new(settings.OWNER_ID_KEY.encode(), message, hashlib.sha256).hexdigest()
