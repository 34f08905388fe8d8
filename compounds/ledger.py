"""The audit chain of a compound (compounds/models/ledger.py): appending
events, reading the head, and verifying the whole chain.

Rows of AppendOnly models are appended by their save(); a bulk_create of
them calls `append_rows` itself. Facts that are not rows (a poll closed with
its certificate's hash, a roster applied) are appended with `record`. Only
*/actions.py and the models' save() append, always inside the transaction of
the write they record.
"""

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from compounds.canonical import serialise
from compounds.models import GENESIS, AppendOnly, LedgerEntry
from compounds.models.ledger import ledger_path, row_payload

# Verifying reads the chain this many entries at a time.
CHUNK = 500

# {event kind: check(payload) -> a problem (translated) or None}: what an
# app can still confirm about an event it recorded (voting: the certificate
# still hashes to what its "poll closed" entry says).
_event_checks = {}


def record(compound, kind, payload):
    """Append an event (`payload`: a JSON-able dict of its facts) to the
    compound's chain, inside the caller's transaction; returns the entry."""
    compound_id = getattr(compound, "pk", compound)
    return LedgerEntry.append(compound_id, [(kind, "", None, serialise(payload))])[0]


def append_rows(rows):
    """Append AppendOnly rows written with bulk_create (which skips their
    save()), in the order given, inside the caller's transaction."""
    return LedgerEntry.append_rows(list(rows))


def head(compound, lock=False):
    """The chain's last entry as {"seq": n, "hash": ...} ({"seq": 0, "hash":
    GENESIS} before the first). With `lock`, no other append to this chain
    can come between this read and the caller's commit."""
    seq, hash_ = LedgerEntry.head(getattr(compound, "pk", compound), lock=lock)
    return {"seq": seq, "hash": hash_}


def check_event(kind, check):
    """Register what verifying also checks for events of `kind` (apps call
    this at start-up)."""
    _event_checks[kind] = check


def append_only_models():
    return [m for m in apps.get_models() if issubclass(m, AppendOnly)]


@dataclass
class Problem:
    """The first thing wrong: an entry of the chain (seq, kind, source), or
    a row the chain lacks (seq None)."""

    message: str
    seq: int | None = None
    kind: str = ""
    source: str = ""

    def as_dict(self):
        return {"seq": self.seq, "kind": self.kind, "source": self.source, "problem": self.message}


@dataclass
class Verdict:
    compound: object
    entries: int = 0
    head: dict = field(default_factory=lambda: {"seq": 0, "hash": GENESIS})
    problem: Problem | None = None

    @property
    def ok(self):
        return self.problem is None

    def as_dict(self):
        return {
            "compound": {"id": self.compound.pk, "name": self.compound.name},
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problem": self.problem.as_dict() if self.problem else None,
        }


def verify(compound):
    """Walk the compound's chain from its first entry: each entry's hash,
    its link to the one before, seq without gaps, each recorded row still
    there and still as recorded, each event still as its app can confirm;
    then that every append-only row of the compound is in the chain.
    Stops at the first problem."""
    verdict = Verdict(compound)
    expected_seq, prev_hash = 1, GENESIS
    recorded = {}  # (model label, pk) -> seq
    chunk = []
    for entry in LedgerEntry.objects.filter(compound=compound).order_by("seq").iterator(chunk_size=CHUNK):
        chunk.append(entry)
        if len(chunk) < CHUNK:
            continue
        expected_seq, prev_hash = _walk(chunk, verdict, expected_seq, prev_hash, recorded)
        if verdict.problem:
            return verdict
        chunk = []
    _walk(chunk, verdict, expected_seq, prev_hash, recorded)
    if verdict.problem is None:
        verdict.problem = _unrecorded_row(compound, recorded)
    return verdict


def _walk(entries, verdict, expected_seq, prev_hash, recorded):
    rows = _source_rows(entries)
    for entry in entries:
        message = _entry_problem(entry, expected_seq, prev_hash, rows, recorded)
        if message:
            verdict.problem = Problem(message, entry.seq, entry.kind, entry.source)
            break
        if entry.source_model:
            recorded[(entry.source_model, entry.source_pk)] = entry.seq
        expected_seq, prev_hash = entry.seq + 1, entry.hash
        verdict.entries += 1
        verdict.head = {"seq": entry.seq, "hash": entry.hash}
    return expected_seq, prev_hash


def _entry_problem(entry, expected_seq, prev_hash, rows, recorded):
    if entry.seq != expected_seq:
        if entry.seq < expected_seq:
            return _("its number is out of sequence (the entries were renumbered)")
        if entry.seq == expected_seq + 1:
            return _("entry %(seq)d is missing (deleted)") % {"seq": expected_seq}
        return _("entries %(first)d to %(last)d are missing (deleted)") % {
            "first": expected_seq,
            "last": entry.seq - 1,
        }
    if entry.prev_hash != prev_hash:
        return _("it does not link to the entry before it (that entry or this one was altered)")
    if entry.computed_hash() != entry.hash:
        return _("its hash does not match what it records (the entry was altered)")
    if not entry.source_model:
        check = _event_checks.get(entry.kind)
        return check(json.loads(entry.payload)) if check else None
    key = (entry.source_model, entry.source_pk)
    if key in recorded:
        return _("it records a row already recorded by entry %(seq)d") % {"seq": recorded[key]}
    if key not in rows:
        return _("the row it records no longer exists (deleted)")
    row = rows[key]
    if row is None:
        return _("it records a kind of row this installation does not have")
    changed = _changed_fields(row, json.loads(entry.payload), json.loads(row_payload(row)))
    if changed:
        return _("the row it records was changed afterwards (%(fields)s)") % {"fields": ", ".join(changed)}
    return None


def _changed_fields(row, recorded, now):
    """The recorded fields whose value is not the one recorded (or that are
    gone). A field the model gained later was not part of what was
    recorded. A reference the database cleared by itself (on_delete
    SET_NULL: a staff account deleted) is not a change of the record: the
    row keeps the name."""
    changed = []
    for name in sorted(recorded):
        if name in now and now[name] == recorded[name]:
            continue
        if name in now and now[name] is None and _cleared_by_database(row, name):
            continue
        changed.append(name)
    return changed


def _cleared_by_database(row, attname):
    for model_field in row._meta.concrete_fields:
        if model_field.attname == attname and model_field.is_relation:
            return model_field.remote_field.on_delete is models.SET_NULL
    return False


def _source_rows(entries):
    """{(model label, pk): the row as stored now} for the entries' sources;
    None for a label no installed model has; missing rows are absent."""
    wanted = {}
    for entry in entries:
        if entry.source_model:
            wanted.setdefault(entry.source_model, set()).add(entry.source_pk)
    rows = {}
    for label, pks in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            rows.update({(label, pk): None for pk in pks})
            continue
        rows.update({(label, row.pk): row for row in model._base_manager.filter(pk__in=pks)})
    return rows


def _unrecorded_row(compound, recorded):
    """A problem naming an append-only row of the compound that is not in
    its chain (inserted behind the chain's back), or None."""
    for model in append_only_models():
        label = model._meta.label_lower
        pks = model._base_manager.filter(**{ledger_path(model): compound}).order_by("pk").values_list("pk", flat=True)
        for pk in pks.iterator(chunk_size=2000):
            if (label, pk) not in recorded:
                return Problem(_("this row is not in the chain (written without its entry)"), source=f"{label}#{pk}")
    return None
