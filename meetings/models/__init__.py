"""Models of the meetings app, one module per subject."""

from meetings.models.agenda import AgendaItem, FloorRequest
from meetings.models.meeting import AppendOnly, Attendance, AttendanceLog, Meeting, new_meeting_code, new_projector_key

__all__ = [
    "AgendaItem",
    "FloorRequest",
    "AppendOnly",
    "Attendance",
    "AttendanceLog",
    "Meeting",
    "new_meeting_code",
    "new_projector_key",
]
