from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Minutes and publication")

    def ready(self):
        # What an ended meeting's page shows (meetings/extensions.py).
        from meetings import extensions
        from minutes import panels, views_public  # noqa: F401 - panels register with the realtime core

        extensions.add_to_closed_page(views_public.meeting_decisions)
