"""Minutes: the staff pages, and the compound's public pages."""

from django.urls import path

from minutes import views, views_public

urlpatterns = [
    path("staff/meetings/<id:meeting_id>/minutes/", views.minutes_page, name="minutes_page"),
    path("staff/meetings/<id:meeting_id>/minutes/edit/", views.minutes_edit, name="minutes_edit"),
    path("staff/meetings/<id:meeting_id>/minutes/note/", views.minutes_annotate, name="minutes_annotate"),
    path("staff/meetings/<id:meeting_id>/minutes/ask/", views.minutes_ask, name="minutes_ask"),
    path("staff/meetings/<id:meeting_id>/minutes/sign/", views.minutes_sign, name="minutes_sign"),
    path("staff/meetings/<id:meeting_id>/minutes/correct/", views.minutes_correct, name="minutes_correct"),
    path("staff/meetings/<id:meeting_id>/minutes/posted/", views.minutes_notice_posted, name="minutes_notice_posted"),
    path("c/<id:compound_id>/", views_public.compound_page, name="compound_page"),
    path("c/<id:compound_id>/minutes/<id:meeting_id>/", views_public.minutes_public, name="minutes_public"),
    path(
        "c/<id:compound_id>/minutes/<id:meeting_id>/v<id:number>/",
        views_public.minutes_public,
        name="minutes_version",
    ),
    path(
        "c/<id:compound_id>/minutes/<id:meeting_id>/v<id:number>.json",
        views_public.minutes_json,
        name="minutes_json",
    ),
    path(
        "c/<id:compound_id>/minutes/<id:meeting_id>/v<id:number>.md",
        views_public.minutes_markdown,
        name="minutes_markdown",
    ),
    path(
        "c/<id:compound_id>/minutes/<id:meeting_id>/v<id:number>.pdf",
        views_public.minutes_print,
        name="minutes_pdf",
    ),
    path("c/<id:compound_id>/conventions/<id:proposal_id>/", views_public.convention, name="convention"),
    path(
        "c/<id:compound_id>/conventions/<id:proposal_id>.md",
        views_public.convention_markdown,
        name="convention_markdown",
    ),
    path("c/<id:compound_id>/conventions/<id:proposal_id>.pdf", views_public.convention_print, name="convention_pdf"),
    path(
        "c/<id:compound_id>/meetings/<id:meeting_id>/decisions/",
        views_public.decision_notice,
        name="decision_notice",
    ),
    path("verify/", views_public.verify, name="verify"),
]
