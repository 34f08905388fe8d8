from django.urls import path

from voting import views, views_clauses, views_official, views_publication

urlpatterns = [
    path("m/<str:code>/vote/<id:poll_id>/", views.vote, name="vote"),
    path("m/<str:code>/vote/<id:poll_id>/mine/", views.my_vote, name="my_vote"),
    path("staff/meetings/<id:meeting_id>/polls/new/", views.poll_new, name="poll_new"),
    path("staff/meetings/<id:meeting_id>/polls/<id:poll_id>/action/", views.poll_action, name="poll_action"),
    path("staff/meetings/<id:meeting_id>/polls/<id:poll_id>/edit/", views.poll_edit, name="poll_edit"),
    path("staff/meetings/<id:meeting_id>/polls/<id:poll_id>/ballots/", views.poll_ballots, name="poll_ballots"),
    path(
        "staff/meetings/<id:meeting_id>/polls/<id:poll_id>/ballots/<id:audit_id>/photo/",
        views.ballot_photo,
        name="ballot_photo",
    ),
    path(
        "staff/meetings/<id:meeting_id>/polls/<id:poll_id>/publication/",
        views_publication.poll_publication,
        name="poll_publication",
    ),
    path(
        "staff/meetings/<id:meeting_id>/polls/<id:poll_id>/official/",
        views_official.official_result,
        name="official_result",
    ),
    path(
        "staff/meetings/<id:meeting_id>/polls/<id:poll_id>/official/document/",
        views_official.official_document,
        name="official_document",
    ),
    path("c/<id:compound_id>/results/<id:poll_id>/", views_publication.result_public, name="result_public"),
    path("staff/compounds/<id:compound_id>/clauses/", views_clauses.clauses_page, name="clauses_page"),
    path("polls/<id:poll_id>/certificate/", views.certificate, name="certificate"),
    path("receipt/", views.receipt_check, name="receipt_check"),
]
