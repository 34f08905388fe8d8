"""Models of the meetings app, one module per subject."""

from meetings.models.agenda import AgendaItem, FloorRequest
from meetings.models.meeting import AppendOnly, Attendance, AttendanceLog, Meeting, new_meeting_code, new_projector_key
from meetings.models.roster import Building, BuildingUnit, Compound, Household, RosterUpload, natural_key
from meetings.models.staff import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Credential,
    StaffRole,
    format_code,
    new_code,
    normalize_code,
)

__all__ = [
    "AgendaItem",
    "FloorRequest",
    "AppendOnly",
    "Attendance",
    "AttendanceLog",
    "Building",
    "BuildingUnit",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "Compound",
    "Credential",
    "Household",
    "Meeting",
    "RosterUpload",
    "StaffRole",
    "format_code",
    "natural_key",
    "new_code",
    "new_meeting_code",
    "new_projector_key",
    "normalize_code",
]
