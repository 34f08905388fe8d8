from django.urls import path

from meetings import consumers

websocket_urlpatterns = [
    path("ws/m/<str:code>/<str:audience>/", consumers.LiveConsumer.as_asgi()),
]


def live_path(meeting, audience):
    """The websocket address a live page connects to (see the pattern above)."""
    return f"/ws/m/{meeting.code}/{audience}/"
