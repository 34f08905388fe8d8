"""Compound roster: list, upload -> preview -> confirm, new compound."""

from django.urls import path

from meetings import views_roster as views

urlpatterns = [
    path("staff/compounds/<int:compound_id>/roster/", views.roster, name="roster"),
    path(
        "staff/compounds/<int:compound_id>/roster/uploads/<int:upload_id>/",
        views.roster_preview,
        name="roster_preview",
    ),
    path(
        "staff/compounds/<int:compound_id>/roster/uploads/<int:upload_id>/confirm/",
        views.roster_confirm,
        name="roster_confirm",
    ),
    path("staff/roster/new/", views.roster_new, name="roster_new"),
]
