from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Register the live panels with the realtime core.
        # Act on what compounds' writes tell (compounds/signals.py).
        from compounds import signals
        from meetings import (
            actions,
            panels,  # noqa: F401
        )

        signals.sessions_ended.connect(actions.close_ended_sessions, dispatch_uid="meetings.close_ended_sessions")
        signals.roster_changed.connect(actions.refresh_after_roster_change, dispatch_uid="meetings.refresh_roster")
