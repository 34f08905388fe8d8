"""Models of the meetings app, one module per subject."""

from meetings.models.agenda import AgendaItem, FloorRequest
from meetings.models.meeting import Attendance, AttendanceLog, Meeting, new_meeting_code, new_projector_key
from meetings.models.notice import Notice, Posting, RosterCorrection, Service

__all__ = [
    "AgendaItem",
    "FloorRequest",
    "Attendance",
    "AttendanceLog",
    "Meeting",
    "Notice",
    "Posting",
    "RosterCorrection",
    "Service",
    "new_meeting_code",
    "new_projector_key",
]
