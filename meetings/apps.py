from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from compounds import signals
        from deliberation.realtime import register_rooms
        from meetings import actions, panels

        # Register the live panels with the realtime core (on import), and
        # meetings as its rooms: the core imports no app.
        register_rooms(load_room=panels.load_meeting, bump_revision=panels.bump_revision, revisions=panels.revisions)
        # Act on what compounds' writes tell (compounds/signals.py).
        signals.sessions_ended.connect(actions.close_ended_sessions, dispatch_uid="meetings.close_ended_sessions")
        signals.roster_changed.connect(actions.refresh_after_roster_change, dispatch_uid="meetings.refresh_roster")
