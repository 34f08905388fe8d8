from django.contrib.auth import views as auth_views
from django.urls import include, path

from meetings import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/meetings/<int:meeting_id>/", views.console, name="console"),
    path("staff/meetings/<int:meeting_id>/status/", views.meeting_status, name="meeting_status"),
    path("m/<str:code>/", views.join, name="join"),
    path("m/<str:code>/leave/", views.leave, name="leave"),
    path("m/<str:code>/projector/", views.projector, name="projector"),
    path("h/<str:code>/", views.household_link, name="household_link"),
    path("", include("meetings.urls_roster")),
    path("", include("meetings.urls_credentials")),
]
