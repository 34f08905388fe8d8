"""Append-only records and the audit chain that makes changing them evident.

Rows that are written once and never changed (sign-ins, ballots staff
entered, proposal versions, decisions, minutes and their sign-offs) subclass
AppendOnly. Each one, in the transaction that inserts it, is also appended
to its compound's chain (LedgerEntry): the row's field values as canonical
JSON, and a SHA-256 over that entry and the previous entry's hash. Editing,
deleting or inserting anything afterwards breaks the chain at that entry
(compounds/ledger.py verifies it); the head (seq and hash) is printed on
result certificates and minutes, so a paper copy pins the chain as it was.

A decision can be challenged in court within a year: this is how the record
shows it was not changed afterwards.
"""

import datetime
import decimal
import hashlib
import json
import uuid

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.canonical import fingerprint, serialise
from compounds.models.roster import Compound

# The previous hash of a chain's first entry.
GENESIS = "0" * 64


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted; each insert
    is appended to the audit chain of the row's compound."""

    # The path from a row to its compound as a query spells it, e.g.
    # "meeting__compound": every concrete subclass names its own.
    ledger_compound = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("audit entries cannot be changed")
        # The row and its entry commit together, or neither does.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            LedgerEntry.append_rows([self])

    def delete(self, *args, **kwargs):
        raise ValidationError("audit entries cannot be deleted")


class LedgerEntry(models.Model):
    """One link of a compound's audit chain: an append-only row as it was
    written (`source_model`, `source_pk`, `payload`), or an event that is not
    a row (a poll closed, a roster applied; no source)."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="ledger")
    # 1, 2, 3 ... per compound; unique, so two writers cannot fork the chain.
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=60)  # "voting.ballotaudit", "voting.poll_closed"
    source_model = models.CharField(max_length=60, blank=True)  # a model label, "" for an event
    source_pk = models.BigIntegerField(null=True, blank=True)
    # Canonical JSON text (compounds/canonical.py): the row's field values, or the event's facts.
    payload = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["compound", "seq"]
        constraints = [models.UniqueConstraint(fields=["compound", "seq"], name="ledger_unique_seq")]
        verbose_name = _("audit chain entry")
        verbose_name_plural = _("audit chain")

    def __str__(self):
        return f"{self.compound_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("audit chain entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("audit chain entries cannot be deleted")

    @property
    def source(self):
        """The row it records, e.g. "voting.ballotaudit#12"; "" for an event."""
        return f"{self.source_model}#{self.source_pk}" if self.source_model else ""

    def computed_hash(self):
        return entry_hash(self.seq, self.prev_hash, self.kind, self.source, self.at, self.payload)

    # Appending -------------------------------------------------------------

    @classmethod
    def append(cls, compound_id, items):
        """Append [(kind, source model label or "", source pk or None, payload
        text)] to a compound's chain, in order, inside the caller's
        transaction; returns the entries."""
        if not items:
            return []
        prev_seq, prev_hash = cls.head(compound_id, lock=True)
        now, entries = timezone.now(), []
        for kind, model, pk, payload in items:
            entry = cls(
                compound_id=compound_id,
                seq=prev_seq + 1,
                at=now,
                kind=kind,
                source_model=model,
                source_pk=pk,
                payload=payload,
                prev_hash=prev_hash,
            )
            entry.hash = entry.computed_hash()
            entries.append(entry)
            prev_seq, prev_hash = entry.seq, entry.hash
        # The unique (compound, seq) is the last guard against a fork.
        return cls.objects.bulk_create(entries)

    @classmethod
    def append_rows(cls, rows):
        """Append freshly inserted AppendOnly rows, in order (their save()
        does; a bulk_create of them must call this itself)."""
        if not rows:
            return []
        model = type(rows[0])
        if any(type(row) is not model for row in rows):
            raise ValueError("append_rows takes rows of one model at a time")
        path = ledger_path(model)
        # Read back as stored, so the payload is what verifying reads later
        # (JSON keys, decimal places, time zones as the database keeps them).
        stored = {
            row.pk: row
            for row in model._base_manager.filter(pk__in=[row.pk for row in rows]).annotate(ledger_compound_pk=F(path))
        }
        label = model._meta.label_lower
        by_compound = {}
        for row in rows:
            fresh = stored[row.pk]
            by_compound.setdefault(fresh.ledger_compound_pk, []).append((label, label, row.pk, row_payload(fresh)))
        return [entry for compound_id, items in by_compound.items() for entry in cls.append(compound_id, items)]

    @classmethod
    def head(cls, compound_id, lock=False):
        """(seq, hash) of the chain's last entry, (0, GENESIS) before the
        first. `lock` (inside a transaction) holds the compound's appends
        until the commit: nothing can be appended between reading the head
        and writing after it."""
        if lock:
            # NO KEY UPDATE on PostgreSQL: it queues appends to this chain
            # without blocking the inserts that merely refer to the compound.
            no_key = connection.features.has_select_for_no_key_update
            list(Compound.objects.select_for_update(no_key=no_key).filter(pk=compound_id).values_list("pk"))
        last = cls.objects.filter(compound_id=compound_id).order_by("-seq").values_list("seq", "hash").first()
        return last or (0, GENESIS)


def ledger_path(model):
    path = getattr(model, "ledger_compound", None)
    if not path:
        raise ImproperlyConfigured(f"{model._meta.label} must name its compound (ledger_compound)")
    return path


def entry_hash(seq, prev_hash, kind, source, at, payload):
    """SHA-256 of an entry: its place, the hash before it, and what it records."""
    return fingerprint(
        {"seq": seq, "prev_hash": prev_hash, "kind": kind, "source": source, "at": plain(at), "payload": payload}
    )


def row_payload(row):
    """A row's field values as canonical JSON text: {attname: value}."""
    return serialise({field.attname: plain(getattr(row, field.attname)) for field in row._meta.concrete_fields})


def plain(value):
    """A field's value as JSON can hold it, written one way only."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        # A photo or file: its digest stands for it.
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, uuid.UUID):
        return str(value)
    return json.loads(json.dumps(value, default=str))
