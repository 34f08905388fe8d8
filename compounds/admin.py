"""Django admin for superusers: compounds with their staff roles, and a
read-only roster.

Roster changes go through the import (all-or-nothing, audited by its upload
record) and credentials through their staff pages, so those are read-only
here.
"""

from django.contrib import admin

from compounds.models import Compound, Credential, Household, LedgerEntry, RosterUpload, StaffRole


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records changed only by their own flows (import, staff pages, actions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(RosterUpload)
class RosterUploadAdmin(ReadOnlyAdmin):
    list_display = ["compound", "filename", "uploaded_by", "created_at", "applied_at"]
    exclude = ["content"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """The audit chain, to read; `manage.py verify_ledger` checks it."""

    list_display = ["compound", "seq", "at", "kind", "source", "hash"]
    list_filter = ["compound", "kind"]
