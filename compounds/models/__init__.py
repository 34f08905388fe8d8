"""Models of the compounds app: the roster (compound, buildings, units,
households, uploads), who acts for it (staff roles, household credentials),
the audit chain every app's append-only records are written to, and the
shape of a household's request that staff answer on the record.

These tables were created by the meetings app and keep their names
(`db_table`); migration compounds 0001 moved them here without touching data.
"""

from compounds.models.answered import AnsweredOnRecord
from compounds.models.ledger import GENESIS, AppendOnly, LedgerEntry
from compounds.models.roster import Building, BuildingUnit, Compound, Household, RosterUpload, natural_key
from compounds.models.staff import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Credential,
    StaffRole,
    format_code,
    new_code,
    normalize_code,
)

__all__ = [
    "AnsweredOnRecord",
    "AppendOnly",
    "Building",
    "BuildingUnit",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "Compound",
    "Credential",
    "GENESIS",
    "Household",
    "LedgerEntry",
    "RosterUpload",
    "StaffRole",
    "format_code",
    "natural_key",
    "new_code",
    "normalize_code",
]
