from django.urls import path

from voting import views

urlpatterns = [
    path("m/<str:code>/vote/<int:poll_id>/", views.vote, name="vote"),
    path("m/<str:code>/vote/<int:poll_id>/mine/", views.my_vote, name="my_vote"),
    path("staff/meetings/<int:meeting_id>/polls/new/", views.poll_new, name="poll_new"),
    path("staff/meetings/<int:meeting_id>/polls/<int:poll_id>/action/", views.poll_action, name="poll_action"),
    path("staff/meetings/<int:meeting_id>/polls/<int:poll_id>/edit/", views.poll_edit, name="poll_edit"),
    path("staff/meetings/<int:meeting_id>/polls/<int:poll_id>/ballots/", views.poll_ballots, name="poll_ballots"),
    path("polls/<int:poll_id>/certificate/", views.certificate, name="certificate"),
]
