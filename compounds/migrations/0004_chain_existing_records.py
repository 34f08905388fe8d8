"""Chain the append-only rows written before the audit chain existed.

Per compound, in the order of their own time and then id, after a first
entry that says so ("ledger.backfilled": how many rows were chained after
the fact, and when). Models this database does not have yet are skipped:
their rows will be chained as they are written.
"""

from django.db import migrations
from django.utils import timezone

from compounds.canonical import serialise
from compounds.models.ledger import GENESIS, entry_hash, row_payload

# (app, model, path to the compound, its time field) as they were when the chain began.
APPEND_ONLY = [
    ("meetings", "AttendanceLog", "meeting__compound", "at"),
    ("meetings", "Notice", "meeting__compound", "published_at"),
    ("meetings", "Service", "meeting__compound", "entered_at"),
    ("meetings", "Posting", "meeting__compound", "entered_at"),
    ("proposals", "ProposalVersion", "proposal__compound", "created_at"),
    ("proposals", "Decision", "proposal__compound", "decided_at"),
    ("minutes", "Annotation", "minutes__meeting__compound", "at"),
    ("minutes", "SignOff", "minutes__meeting__compound", "at"),
    ("minutes", "MinutesVersion", "minutes__meeting__compound", "published_at"),
    ("voting", "BallotAudit", "poll__meeting__compound", "at"),
]


def chain_existing(apps, schema_editor):
    Compound = apps.get_model("compounds", "Compound")
    LedgerEntry = apps.get_model("compounds", "LedgerEntry")
    models = []
    for app_label, name, path, time_field in APPEND_ONLY:
        try:
            models.append((apps.get_model(app_label, name), path, time_field))
        except LookupError:
            continue
    now = timezone.now()
    for compound in Compound.objects.all():
        rows = []
        for position, (model, path, time_field) in enumerate(models):
            for row in model._base_manager.filter(**{path: compound}):
                rows.append((getattr(row, time_field), position, row.pk, row))
        if not rows:
            continue
        rows.sort(key=lambda found: found[:3])
        items = [("ledger.backfilled", "", None, serialise({"rows": len(rows), "at": now.isoformat()}))]
        items += [
            (label, label, row.pk, row_payload(row))
            for label, row in ((row._meta.label_lower, row) for _time, _position, _pk, row in rows)
        ]
        entries, prev_hash = [], GENESIS
        for seq, (kind, model_label, pk, payload) in enumerate(items, start=1):
            source = f"{model_label}#{pk}" if model_label else ""
            digest = entry_hash(seq, prev_hash, kind, source, now, payload)
            entries.append(
                LedgerEntry(
                    compound=compound,
                    seq=seq,
                    at=now,
                    kind=kind,
                    source_model=model_label,
                    source_pk=pk,
                    payload=payload,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            prev_hash = digest
        LedgerEntry.objects.bulk_create(entries, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("compounds", "0003_ledgerentry"),
        ("meetings", "0007_projector_screen"),
        ("minutes", "0001_initial"),
        ("proposals", "0002_micro_project_report"),
        ("voting", "0005_poll_item_label"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
