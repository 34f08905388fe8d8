"""manage.py purge_roster_uploads

Forgets the content (ID-number tails) of unconfirmed roster uploads past
their expiry. The server also does this on its own while it answers
requests and whenever roster pages load (meetings/views_roster.py); run this
from cron (e.g. hourly) so an idle server purges on time too.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from compounds.views_roster import purge_expired_uploads


class Command(BaseCommand):
    @property
    def help(self):
        return _("Forget the content of unconfirmed roster uploads past their expiry.")

    def handle(self, *args, **options):
        count = purge_expired_uploads()
        if options["verbosity"] > 0:
            self.stdout.write(_("Expired roster uploads purged: %(count)d") % {"count": count})
