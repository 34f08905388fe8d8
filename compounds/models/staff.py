"""Staff roles per compound, and households' voting credentials."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models.roster import Compound, Household


class StaffRole(models.Model):
    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("facilitator")
        WORKER = "worker", _("community worker")
        SECRETARY = "secretary", _("secretary")
        OBSERVER = "observer", _("observer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        db_table = "meetings_staffrole"  # created by the meetings app, moved here
        constraints = [models.UniqueConstraint(fields=["user", "compound", "role"], name="staffrole_unique")]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")

    def __str__(self):
        return f"{self.user} · {self.compound} · {self.get_role_display()}"


# Household codes are read aloud and typed on phones: no 0/O, 1/I/L, 2/Z, 5/S,
# 8/B lookalikes. 8 symbols of 25 give about 37 bits: with the per-client rate
# limit on wrong attempts, guessing any one of 3,000 codes is out of reach.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """What a resident typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_code(code):
    """Shown and printed in two groups of four, easier to read aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


class Credential(models.Model):
    """A household's voting credential: the code on its printed slip.

    Stored in clear because staff reprint slips; it is a bearer secret like a
    paper ballot slip, revoked and re-issued when lost.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="credentials")
    code = models.CharField(max_length=16, unique=True, default=new_code)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "meetings_credential"  # created by the meetings app, moved here
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(revoked_at__isnull=True), name="credential_one_active"
            )
        ]
        verbose_name = _("household credential")
        verbose_name_plural = _("household credentials")

    @property
    def display_code(self):
        return format_code(self.code)

    def __str__(self):
        return f"{self.household} {self.display_code}"
