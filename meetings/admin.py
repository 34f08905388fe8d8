"""Django admin for superusers: roles, meetings and a read-mostly roster.

Roster changes go through the import (all-or-nothing, audited by its upload
record) and credentials through their staff pages, so those are read-only
here.
"""

from django.contrib import admin

from meetings.models import Attendance, Compound, Credential, Household, Meeting, RosterUpload, StaffRole
from meetings.models.meeting import AttendanceLog


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [StaffRoleInline]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "compound", "role"]
    list_filter = ["role", "compound"]
    autocomplete_fields = ["user", "compound"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["label", "compound", "kind", "area", "area_source", "owner_names", "developer_unsold", "is_active"]
    list_filter = ["compound", "kind", "area_source", "developer_unsold", "is_active"]
    search_fields = ["room", "owner_names", "unit__building__name"]
    exclude = ["owner_key"]
    list_select_related = ["unit__building", "compound"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["household", "issued_at", "issued_by", "revoked_at", "revoked_by"]
    list_filter = ["household__compound"]
    exclude = ["code"]
    list_select_related = ["household__unit__building"]


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


@admin.register(RosterUpload)
class RosterUploadAdmin(ReadOnlyAdmin):
    list_display = ["compound", "filename", "uploaded_by", "created_at", "applied_at"]
    exclude = ["content"]
