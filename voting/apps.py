from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self):
        # Register the live panels with the realtime core, and what voting
        # adds to the meetings app (meetings/extensions.py).
        from meetings import extensions
        from voting import actions, panels, views  # noqa: F401

        extensions.hold_attendance(actions.attendance_hold)
        extensions.add_to_phone_page(views.my_vote_context)
        extensions.tell_the_screen(panels.screen_facts)
