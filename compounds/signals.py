"""What a compound's writes tell the apps built on it.

compounds imports no app above it, yet a revoked code must close the live
pages of the phones that joined with it, and a new roster must refresh the
household counts on live screens. The writes in compounds/actions.py send
these signals inside their transaction; the meetings app listens
(meetings/actions.py, connected in meetings/apps.py) and acts after commit.
"""

from django.dispatch import Signal

# Phones tagged so (a revoked code "credential:<id>", a retired household
# "household:<id>") no longer act for their household. Arguments:
# compound_id, tags (a tuple of those tags).
sessions_ended = Signal()

# A compound's roster changed (households added, changed or retired).
# Argument: compound.
roster_changed = Signal()
