"""Proposals: staff pages, the console's controls, phones' amendments and
seconds, and the public page, JSON record and printable notice."""

from django.urls import path

from proposals import views, views_public, views_room

urlpatterns = [
    path("staff/compounds/<id:compound_id>/proposals/", views.proposal_list, name="proposal_list"),
    path("staff/compounds/<id:compound_id>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("staff/proposals/<id:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("staff/proposals/<id:proposal_id>/text/", views.proposal_save_text, name="proposal_save_text"),
    path("staff/proposals/<id:proposal_id>/details/", views.proposal_save_details, name="proposal_save_details"),
    path("staff/proposals/<id:proposal_id>/place/", views.proposal_place, name="proposal_place"),
    path("staff/proposals/<id:proposal_id>/notice/", views.proposal_notice, name="proposal_notice"),
    path("staff/proposals/<id:proposal_id>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("staff/proposals/<id:proposal_id>/revise/", views.proposal_revise, name="proposal_revise"),
    path("staff/proposals/<id:proposal_id>/start/", views.project_start, name="project_start"),
    path("staff/proposals/<id:proposal_id>/complete/", views.project_complete, name="project_complete"),
    path("staff/proposals/<id:proposal_id>/photos/", views.project_photo, name="project_photo"),
    path("staff/proposals/<id:proposal_id>/comments/<id:comment_id>/hide/", views.comment_hide, name="comment_hide"),
    path("staff/proposals/<id:proposal_id>/diff/<id:old>/<id:new>/", views.version_diff, name="version_diff"),
    path("staff/proposals/<id:proposal_id>/compare/", views.version_compare, name="version_compare"),
    path(
        "staff/meetings/<id:meeting_id>/amendments/<id:amendment_id>/",
        views_room.amendment_action,
        name="amendment_action",
    ),
    path(
        "staff/meetings/<id:meeting_id>/proposals/<id:proposal_id>/focus/",
        views_room.proposal_focus,
        name="proposal_focus",
    ),
    path("m/<str:code>/proposals/<id:proposal_id>/amend/", views_room.amend, name="amend"),
    path("m/<str:code>/amendments/<id:amendment_id>/second/", views_room.second, name="second"),
    path(
        "m/<str:code>/amendments/<id:amendment_id>/withdraw/",
        views_room.withdraw_amendment,
        name="withdraw_amendment",
    ),
    path("m/<str:code>/proposals/<id:proposal_id>/edit/", views_room.sponsor_edit, name="sponsor_edit"),
    path("p/<id:proposal_id>/", views_public.proposal_page, name="proposal_page"),
    path("p/<id:proposal_id>.json", views_public.proposal_json, name="proposal_json"),
    path("p/<id:proposal_id>/notice/", views_public.notice_print, name="notice_print"),
    path("p/<id:proposal_id>/photos/<id:photo_id>/", views_public.project_photo_file, name="project_photo_file"),
]
