"""Django admin for superusers: proposals and their record, read-only.

Texts, amendments, notice and decisions change only through their actions
(a new version with a reason, the facilitator's decisions, a vote), so the
admin shows them and changes nothing.
"""

from django.contrib import admin

from compounds.admin import ReadOnlyAdmin
from proposals.models import Amendment, Decision, NoticeComment, Proposal, ProposalVersion


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "compound", "kind", "status", "version", "notice_ends"]
    list_filter = ["compound", "kind", "status"]
    search_fields = ["title"]


@admin.register(ProposalVersion)
class ProposalVersionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "number", "by_name", "created_at", "reason"]
    list_filter = ["proposal__compound"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "number", "op", "by_name", "status", "created_at"]
    list_filter = ["status", "proposal__compound"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "outcome", "version", "decided_at"]


@admin.register(NoticeComment)
class NoticeCommentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "household", "created_at", "hidden_at"]
