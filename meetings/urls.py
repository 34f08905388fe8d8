from django.contrib.auth import views as auth_views
from django.urls import path

from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT
from meetings import views, views_live, views_notice, views_room, views_roster_check, views_signin

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/meetings/<id:meeting_id>/", views.console, name="console"),
    path("staff/meetings/<id:meeting_id>/status/", views.meeting_status, name="meeting_status"),
    path("staff/compounds/<id:compound_id>/meetings/new/", views_room.meeting_new, name="meeting_new"),
    path("staff/meetings/<id:meeting_id>/edit/", views_room.meeting_edit, name="meeting_edit"),
    path("staff/meetings/<id:meeting_id>/agenda/", views_room.agenda_action, name="agenda_action"),
    path("staff/meetings/<id:meeting_id>/agenda/add/", views_room.agenda_item_add, name="agenda_item_add"),
    path("staff/meetings/<id:meeting_id>/agenda/<id:item_id>/", views_room.agenda_item_edit, name="agenda_item_edit"),
    path("staff/meetings/<id:meeting_id>/floor/", views_room.floor_action, name="floor_action"),
    path("staff/meetings/<id:meeting_id>/floor/add/", views_room.floor_add, name="floor_add"),
    path("staff/meetings/<id:meeting_id>/screen/", views_room.projector_screen, name="projector_screen"),
    path("staff/meetings/<id:meeting_id>/signin/", views_signin.signin_page, name="signin"),
    path("staff/meetings/<id:meeting_id>/signin/do/", views_signin.signin_action, name="signin_action"),
    path("staff/meetings/<id:meeting_id>/notice/", views_notice.notice_page, name="notice_page"),
    path("staff/meetings/<id:meeting_id>/notice/extend/", views_notice.notice_extend, name="notice_extend"),
    path("staff/meetings/<id:meeting_id>/service/", views_notice.service_page, name="service_page"),
    path("staff/meetings/<id:meeting_id>/service/one/", views_notice.service_one, name="service_one"),
    path("staff/meetings/<id:meeting_id>/service/batch/", views_notice.service_batch, name="service_batch"),
    path("staff/meetings/<id:meeting_id>/service/posting/", views_notice.service_posting, name="service_posting"),
    path("staff/meetings/<id:meeting_id>/service/withdraw/", views_notice.service_withdraw, name="service_withdraw"),
    path("c/<id:compound_id>/notices/<id:notice_id>/", views_notice.notice_public, name="notice_public"),
    path(
        "staff/meetings/<id:meeting_id>/roster-check/",
        views_roster_check.roster_check_page,
        name="roster_check_page",
    ),
    path("c/<id:compound_id>/roster/<id:meeting_id>/", views_roster_check.roster_public, name="roster_public"),
    path("m/<str:code>/roster/", views_roster_check.roster_phone, name="roster_phone"),
    path("m/<str:code>/", views.join, name="join"),
    path("m/<str:code>/floor/", views_room.floor_request, name="floor_request"),
    path("m/<str:code>/floor/withdraw/", views_room.floor_withdraw, name="floor_withdraw"),
    path("m/<str:code>/leave/", views.leave, name="leave"),
    path("m/<str:code>/projector/", views.projector, name="projector"),
    path("h/<str:code>/", views.household_link, name="household_link"),
    # A live page's state for pages that poll: the socket's address (meetings/routing.py) with /live/ for /ws/.
    path("live/m/<str:code>/facilitator/", views_live.live_state, {"audience": FACILITATOR}, name="live_facilitator"),
    path("live/m/<str:code>/resident/", views_live.live_state, {"audience": RESIDENT}, name="live_resident"),
    path("live/m/<str:code>/projector/", views_live.live_state, {"audience": PROJECTOR}, name="live_projector"),
]
