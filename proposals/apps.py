from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        # Register the live panels with the realtime core, and tell the
        # projector of meetings when a text is debated (meetings/extensions.py).
        from meetings import extensions
        from proposals import panels

        extensions.tell_the_screen(panels.screen_facts)
