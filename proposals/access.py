"""Who may work on a proposal: staff of its compound (compounds.access)."""

from django.shortcuts import get_object_or_404

from compounds.access import Role, staff_view
from proposals.models import Proposal

# Drafting and editing: the facilitator, the community worker, the secretary.
DRAFT_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)
# Deciding amendments and what the room looks at: the facilitator.
CHAIR_ROLES = (Role.FACILITATOR,)


def _proposal_from_url(kwargs):
    proposal = get_object_or_404(Proposal.objects.select_related("compound"), pk=kwargs.pop("proposal_id"))
    return proposal.compound, {"proposal": proposal}


def proposal_staff(*roles):
    """View decorator for URLs naming `proposal_id`: the view receives
    `proposal` and `compound`; staff without one of `roles` get 403."""
    return staff_view(_proposal_from_url, roles)
