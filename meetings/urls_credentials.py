"""Household credentials: staff list, bulk issue, re-issue, revoke, print sheet."""

from django.urls import path

from meetings import views_credentials as views

urlpatterns = [
    path("staff/compounds/<int:compound_id>/credentials/", views.credential_list, name="credential_list"),
    path(
        "staff/compounds/<int:compound_id>/credentials/issue/",
        views.credential_issue_missing,
        name="credential_issue_missing",
    ),
    path(
        "staff/compounds/<int:compound_id>/credentials/<int:household_id>/reissue/",
        views.credential_reissue,
        name="credential_reissue",
    ),
    path(
        "staff/compounds/<int:compound_id>/credentials/<int:household_id>/revoke/",
        views.credential_revoke,
        name="credential_revoke",
    ),
    path("staff/compounds/<int:compound_id>/credentials/slips/", views.credential_slips, name="credential_slips"),
]
