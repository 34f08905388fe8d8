"""The compound's roster (list, upload -> preview -> confirm, new compound)
and its household credentials (list, bulk issue, re-issue, revoke, slips)."""

from django.urls import path

from compounds import views_credentials, views_roster

urlpatterns = [
    path("staff/compounds/<id:compound_id>/roster/", views_roster.roster, name="roster"),
    path(
        "staff/compounds/<id:compound_id>/roster/uploads/<id:upload_id>/",
        views_roster.roster_preview,
        name="roster_preview",
    ),
    path(
        "staff/compounds/<id:compound_id>/roster/uploads/<id:upload_id>/confirm/",
        views_roster.roster_confirm,
        name="roster_confirm",
    ),
    path("staff/roster/new/", views_roster.roster_new, name="roster_new"),
    path("staff/compounds/<id:compound_id>/credentials/", views_credentials.credential_list, name="credential_list"),
    path(
        "staff/compounds/<id:compound_id>/credentials/issue/",
        views_credentials.credential_issue_missing,
        name="credential_issue_missing",
    ),
    path(
        "staff/compounds/<id:compound_id>/credentials/<id:household_id>/reissue/",
        views_credentials.credential_reissue,
        name="credential_reissue",
    ),
    path(
        "staff/compounds/<id:compound_id>/credentials/<id:household_id>/revoke/",
        views_credentials.credential_revoke,
        name="credential_revoke",
    ),
    path(
        "staff/compounds/<id:compound_id>/credentials/slips/",
        views_credentials.credential_slips,
        name="credential_slips",
    ),
]
