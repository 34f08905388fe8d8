"""Minutes: the staff pages, and the compound's public pages."""

from django.urls import path

from minutes import views, views_public

urlpatterns = [
    path("staff/meetings/<int:meeting_id>/minutes/", views.minutes_page, name="minutes_page"),
    path("staff/meetings/<int:meeting_id>/minutes/edit/", views.minutes_edit, name="minutes_edit"),
    path("staff/meetings/<int:meeting_id>/minutes/note/", views.minutes_annotate, name="minutes_annotate"),
    path("staff/meetings/<int:meeting_id>/minutes/ask/", views.minutes_ask, name="minutes_ask"),
    path("staff/meetings/<int:meeting_id>/minutes/sign/", views.minutes_sign, name="minutes_sign"),
    path("staff/meetings/<int:meeting_id>/minutes/correct/", views.minutes_correct, name="minutes_correct"),
    path("staff/meetings/<int:meeting_id>/minutes/posted/", views.minutes_notice_posted, name="minutes_notice_posted"),
    path("c/<int:compound_id>/", views_public.compound_page, name="compound_page"),
    path("c/<int:compound_id>/minutes/<int:meeting_id>/", views_public.minutes_public, name="minutes_public"),
    path(
        "c/<int:compound_id>/minutes/<int:meeting_id>/v<int:number>/",
        views_public.minutes_public,
        name="minutes_version",
    ),
    path(
        "c/<int:compound_id>/minutes/<int:meeting_id>/v<int:number>.json",
        views_public.minutes_json,
        name="minutes_json",
    ),
    path("c/<int:compound_id>/conventions/<int:proposal_id>/", views_public.convention, name="convention"),
    path("verify/", views_public.verify, name="verify"),
]
