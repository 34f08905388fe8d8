"""Who may do what with a compound: staff roles.

Staff hold roles per compound (StaffRole); superusers hold every role. Views
about a compound's roster and codes check here; meetings.access builds on it
for a meeting's pages and adds residents (phones acting for a household).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from compounds.models import Compound, StaffRole

Role = StaffRole.Role
# Who may run a meeting's room and see the console.
CONSOLE_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY, Role.OBSERVER)
# Who may change the roster and issue credentials.
ROSTER_ROLES = (Role.WORKER, Role.FACILITATOR)


def staff_roles(user, compound):
    """The roles a user holds in a compound (every role for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(StaffRole.objects.filter(user=user, compound=compound).values_list("role", flat=True))


def has_role(user, compound, roles):
    return bool(staff_roles(user, compound) & set(roles))


def compounds_for(user):
    if user.is_superuser:
        return Compound.objects.all()
    return Compound.objects.filter(staff_roles__user=user).distinct()


def staff_view(find_compound, roles):
    """Decorate a staff view: anonymous users go to the login page; then
    `find_compound(url_kwargs)` (which pops what it uses and may 404) returns
    the compound and the keyword arguments it adds for the view; a user
    without one of `roles` in that compound gets 403. The view receives
    `compound` and those arguments."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            compound, found = find_compound(kwargs)
            if not has_role(request.user, compound, roles):
                raise PermissionDenied
            return view(request, *args, compound=compound, **found, **kwargs)

        return wrapper

    return decorator


def _compound_from_url(kwargs):
    return get_object_or_404(Compound, pk=kwargs.pop("compound_id")), {}


def staff_required(*roles):
    """View decorator for URLs naming `compound_id`: the view receives `compound`."""
    return staff_view(_compound_from_url, roles)
