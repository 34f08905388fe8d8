"""Compounds and their roster, staff roles, household credentials, meetings.

The roster follows how a property office records a compound: building (楼栋)
-> building unit (单元) -> household (户, one exclusive part, 室号). A household
is the unit of voting; its owner key lets counting recognise one owner of
several units without storing identity numbers.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Compound(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self):
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("building"), max_length=50)
    # Natural order: "2幢" before "10幢".
    sort_key = models.CharField(max_length=120, editable=False, default="")

    class Meta:
        ordering = ["compound", "sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.name)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class BuildingUnit(models.Model):
    """A stairwell (单元) of a building; shops and garages have one unnamed unit."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("building unit"), max_length=50, blank=True)
    sort_key = models.CharField(max_length=120, editable=False, default="")

    class Meta:
        ordering = ["building", "sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")]
        verbose_name = _("building unit")
        verbose_name_plural = _("building units")

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.name)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.building.name}{self.name}"


class Household(models.Model):
    class Kind(models.TextChoices):
        RESIDENCE = "residence", _("residence")
        SHOP = "shop", _("shop")
        PARKING = "parking", _("parking space")

    class AreaSource(models.TextChoices):
        # SPC interpretation 法释〔2009〕7号 Art. 8: registered area first, then
        # surveyed, then the sales contract.
        REGISTERED = "registered", _("registered")
        SURVEYED = "surveyed", _("surveyed")
        CONTRACT = "contract", _("sales contract")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="households")
    unit = models.ForeignKey(BuildingUnit, on_delete=models.CASCADE, related_name="households")
    room = models.CharField(_("room"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESIDENCE)
    area = models.DecimalField(
        _("exclusive area (m²)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    area_source = models.CharField(
        _("area source"), max_length=20, choices=AreaSource.choices, default=AreaSource.REGISTERED
    )
    owner_names = models.CharField(_("owner name(s)"), max_length=200, blank=True)
    # HMAC of the owner's names and ID-number tail (meetings.identity): equal
    # keys mean the same owner; the digits themselves are never stored.
    owner_key = models.CharField(max_length=64, blank=True, db_index=True)
    developer_unsold = models.BooleanField(_("developer, unsold"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A household missing from a later roster is retired, never deleted:
    # meeting records refer to it.
    is_active = models.BooleanField(_("active"), default=True)
    sort_key = models.CharField(max_length=120, editable=False, default="")

    class Meta:
        ordering = ["unit__building__sort_key", "unit__sort_key", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room")]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.room)
        super().save(*args, **kwargs)

    @property
    def label(self):
        """Building-unit-room, as residents say it: 3幢2单元502."""
        return f"{self.unit.building.name}{self.unit.name}{self.room}"

    @property
    def votes(self):
        """Parking spaces are kept out of voting (local practice)."""
        return self.kind != self.Kind.PARKING

    def __str__(self):
        return self.label


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


def new_meeting_code():
    # Short enough to type from the projector: /m/K7PM
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


def new_projector_key():
    return secrets.token_urlsafe(16)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("council meeting (议事会)")
        OWNERS = "owners", _("owners' assembly")
        RESIDENTS = "residents", _("residents' meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        LIVE = "live", _("live")
        CLOSED = "closed", _("closed")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    place = models.CharField(_("place"), max_length=200, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    code = models.CharField(max_length=8, unique=True, default=new_meeting_code)
    # Opens the projector page without a staff login (the room's screen).
    projector_key = models.CharField(max_length=40, default=new_projector_key)
    # Bumped in the same transaction as every change others see; pushed panels
    # carry it so clients drop anything older than what they show.
    revision = models.PositiveBigIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_start", "-created_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    @property
    def is_open_to_residents(self):
        """Residents may join an announced or live meeting, not a closed one."""
        return self.status in {self.Status.ANNOUNCED, self.Status.LIVE}


class Attendance(models.Model):
    """A household joined to a meeting (its phone, or staff for it)."""

    class Via(models.TextChoices):
        PHONE = "phone", _("own phone")
        STAFF = "staff", _("entered by staff")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="attendances")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PHONE)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "household"], name="attendance_unique")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")


def natural_key(text):
    """Sort key that orders embedded numbers by value: 2幢 < 10幢, 商铺2 < 商铺10."""
    out, digits = [], ""
    for ch in text:
        if ch.isdigit():
            digits += ch
            continue
        if digits:
            out.append(digits.zfill(8))
            digits = ""
        out.append(ch)
    if digits:
        out.append(digits.zfill(8))
    return "".join(out)[:120]


class RosterUpload(models.Model):
    """A roster file kept between its preview and its confirmation.

    Confirming applies exactly the bytes that were previewed (sha256 checks
    it). The file holds ID-number tails, so its content is cleared once it is
    applied or has expired; the hash stays as the record of what was imported.
    """

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="roster_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")

    def __str__(self):
        return f"{self.compound} · {self.filename}"
