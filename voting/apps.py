from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self):
        # Register the live panels with the realtime core, and what voting
        # adds to the meetings app (meetings/extensions.py).
        from compounds import ledger
        from meetings import extensions
        from voting import actions, certificate, panels, views  # noqa: F401

        extensions.hold_attendance(actions.attendance_hold)
        ledger.check_event(actions.POLL_CLOSED, certificate.unchanged_since_close)
        extensions.add_to_phone_page(views.my_vote_context)
        extensions.tell_the_screen(panels.screen_facts)
        extensions.tell_the_deadlines(actions.deadline_facts)
