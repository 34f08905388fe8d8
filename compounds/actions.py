"""Writes to a compound that others see: household codes and the roster.

Each runs in one transaction. What the apps above must act on (phones to
close, live counts to refresh) is sent as a signal (compounds/signals.py)
inside that transaction; they act after the commit.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from compounds import ledger, signals
from compounds.credentials import CredentialError, active_credentials
from compounds.models import Building, BuildingUnit, Compound, Credential, Household, new_code
from compounds.roster_import import ImportReport, file_summary, parse_roster

logger = logging.getLogger(__name__)

# 25**8 codes: a collision is astronomically rare; a handful of retries is
# plenty, and a persistent failure means something else is wrong.
MAX_CODE_ATTEMPTS = 10

ROSTER_APPLIED = "compounds.roster_applied"  # the audit chain's entry for a roster import


# Household codes: each insert runs in its own savepoint, so a (very
# unlikely) code collision is retried with a fresh code without losing the
# rest of the batch. ------------------------------------------------------------


def _has_active(household):
    return active_credentials().filter(household=household).exists()


def _issue(household, user, now):
    """Insert an active credential; None if the household already holds one.

    Call inside a transaction. A code collision is retried with a new code;
    a concurrent issue for the same household (the one-active constraint)
    is not an error: that household has its code.
    """
    for _attempt in range(MAX_CODE_ATTEMPTS):
        try:
            with transaction.atomic():  # savepoint
                return Credential.objects.create(household=household, code=new_code(), issued_by=user, issued_at=now)
        except IntegrityError:
            if _has_active(household):
                return None
            # Otherwise the code collided with an existing one: draw again.
    raise IntegrityError(f"could not draw a unique credential code for household {household.pk}")


def _check_votes(household):
    if not household.is_active:
        raise CredentialError("household is retired")
    if not household.votes:
        raise CredentialError("parking spaces do not vote")


def issue_missing_codes(compound, user):
    """Issue a code to every voting household of `compound` without one.

    Returns how many were issued; a second call issues 0.
    """
    now = timezone.now()
    issued = 0
    with transaction.atomic():
        missing = (
            compound.households.voting()
            .exclude(Exists(active_credentials().filter(household=OuterRef("pk"))))
            .select_for_update()
            .order_by("pk")
        )
        for household in missing:
            if _issue(household, user, now) is not None:
                issued += 1
    return issued


def reissue_code(household, user):
    """Revoke the household's active code (if any) and issue a new one.

    The old code stops resolving as soon as the transaction commits.
    Raises CredentialError for a retired household or a parking space.
    """
    with transaction.atomic():
        # Lock the household: two staff re-issuing at once get one code each,
        # in turn, instead of a constraint error.
        household = (
            Household.objects.select_for_update(of=("self",)).select_related("unit__building").get(pk=household.pk)
        )
        _check_votes(household)
        now = timezone.now()
        for old in active_credentials().filter(household=household):
            end_sessions(household.compound_id, f"credential:{old.pk}")
        active_credentials().filter(household=household).update(revoked_at=now, revoked_by=user)
        credential = _issue(household, user, now)
        if credential is None:  # pragma: no cover - only if the lock did not hold
            raise IntegrityError(f"household {household.pk} got a code concurrently")
        return credential


def revoke_code(household, user):
    """Revoke the household's active code without issuing a new one.

    Returns the revoked credential, or None if there was none.
    """
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        credential = active_credentials().select_for_update().filter(household=household).first()
        if credential is None:
            return None
        credential.revoked_at = timezone.now()
        credential.revoked_by = user
        credential.save(update_fields=["revoked_at", "revoked_by"])
        end_sessions(household.compound_id, f"credential:{credential.pk}")
        return credential


def end_sessions(compound_id, *tags):
    """Phones tagged so (a revoked code "credential:<id>", a retired household
    "household:<id>") stop acting for their household: their requests are
    refused from the commit on (meetings.access checks the code a session
    joined with and the household), and the apps above close their live
    pages after the commit (signals.sessions_ended)."""
    if tags:
        signals.sessions_ended.send(sender=Compound, compound_id=compound_id, tags=tuple(tags))


# The roster ------------------------------------------------------------------


def import_roster(compound_name: str, data: bytes, filename: str, *, dry_run=False, user=None) -> ImportReport:
    """Import a roster file for a compound (created if new). All or nothing.

    Raises RosterError listing every bad row; nothing is written then. With
    dry_run the import runs in full and is rolled back, so a preview reports
    exactly what confirming will do.
    """
    name = (compound_name or "").strip()
    if not name:
        raise ValueError("compound_name is required")
    rows = parse_roster(data, filename)
    report = ImportReport(compound_name=name, summary=file_summary(rows), dry_run=dry_run)
    with transaction.atomic():
        compound = _apply(name, rows, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report.compound = compound
            _chain_roster(compound, data, report, user)
            # Household counts on live screens follow the new roster.
            signals.roster_changed.send(sender=Compound, compound=compound)
    if not dry_run:
        # Counts only: no names, no identity data in logs.
        logger.info(
            "roster import compound=%s by=%s created=%d updated=%d unchanged=%d retired=%d",
            compound.pk,
            getattr(user, "pk", None),
            report.created,
            report.updated,
            report.unchanged,
            report.retired,
        )
    return report


def _chain_roster(compound, data, report, user):
    """The roster applied, in the compound's audit chain: which file (its
    SHA-256), what it changed, who confirmed it. Counts only, no names."""
    ledger.record(
        compound,
        ROSTER_APPLIED,
        {
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "households": report.summary.households,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "retired": report.retired,
            "by": getattr(user, "pk", None),
        },
    )


def _apply(name, rows, report):
    compound, _created = Compound.objects.get_or_create(name=name)
    buildings = {building.name: building for building in compound.buildings.all()}
    units = {
        (unit.building.name, unit.name): unit
        for unit in BuildingUnit.objects.filter(building__compound=compound).select_related("building")
    }
    existing = {(household.unit_id, household.room): household for household in compound.households.all()}
    in_file = set()
    for row in rows:
        unit = _building_unit(compound, row, buildings, units)
        household = existing.get((unit.pk, row.room))
        if household is None:
            Household.objects.create(compound=compound, unit=unit, room=row.room, **row.household_fields())
            report.created += 1
            continue
        in_file.add(household.pk)
        fields = row.household_fields()
        changed = [attr for attr, value in fields.items() if getattr(household, attr) != value]
        if changed:
            for attr in changed:
                setattr(household, attr, fields[attr])
            household.save(update_fields=changed)
            report.updated += 1
        else:
            report.unchanged += 1
    # Missing from the file: retired, never deleted (meetings refer to them).
    gone = [h.pk for h in existing.values() if h.is_active and h.pk not in in_file]
    Household.objects.filter(pk__in=gone).update(is_active=False)
    report.retired = len(gone)
    # Their phones stop acting at the commit (meetings.access); close their
    # live pages too, as for a revoked code.
    end_sessions(compound.pk, *(f"household:{household_id}" for household_id in gone))
    return compound


def _building_unit(compound, row, buildings, units):
    building = buildings.get(row.building)
    if building is None:
        building = buildings[row.building] = Building.objects.create(compound=compound, name=row.building)
    unit = units.get((row.building, row.unit))
    if unit is None:
        unit = units[(row.building, row.unit)] = BuildingUnit.objects.create(building=building, name=row.unit)
    return unit
