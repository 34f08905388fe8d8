"""Django admin for superusers: meetings, and who attended (read-only)."""

from django.contrib import admin

from compounds.admin import ReadOnlyAdmin
from meetings.models import Attendance, AttendanceLog, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "compound", "kind", "status", "scheduled_start"]
    list_filter = ["compound", "kind", "status"]
    search_fields = ["title"]
    readonly_fields = ["code", "projector_key", "revision", "opened_at", "closed_at"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "household", "via", "joined_at", "signed_in_by", "signed_in_at"]
    list_filter = ["meeting", "via"]


@admin.register(AttendanceLog)
class AttendanceLogAdmin(ReadOnlyAdmin):
    """Staff sign-ins and undos: append-only, so read-only here too."""

    list_display = ["at", "meeting", "household", "action", "by_name"]
    list_filter = ["meeting", "action"]
    list_select_related = ["meeting", "household__unit__building"]
