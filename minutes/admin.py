"""Django admin for superusers: the signing parties each compound names (and
who signs for them), and the minutes' record, read-only."""

from django.contrib import admin

from compounds.admin import ReadOnlyAdmin
from minutes.models import Annotation, Minutes, MinutesVersion, Party, SignOff


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "position"]
    list_filter = ["compound"]
    filter_horizontal = ["members"]


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "status", "revision", "notice_posted_at"]


@admin.register(MinutesVersion)
class MinutesVersionAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "number", "published_at", "fingerprint"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "revision", "party", "decision", "by_name", "at"]


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "section", "by_name", "at"]
