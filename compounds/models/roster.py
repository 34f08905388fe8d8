"""The compound roster: building (楼栋) -> building unit (单元) -> household (户).

A household is one exclusive part (室号) and the unit of voting; its owner key
lets counting recognise one owner of several units without storing identity
numbers (compounds/identity.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds import jurisdiction


class Compound(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # 公示: how long a proposal stays on public notice before a vote, unless
    # staff choose otherwise when they post it.
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=7)
    # Whose procedural law its owners' meetings follow (compounds/jurisdiction.py):
    # days of notice, how long a vote stays open, when results are due.
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=30, default=jurisdiction.DEFAULT, choices=jurisdiction.choices
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "meetings_compound"  # created by the meetings app, moved here
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
        db_table = "meetings_building"  # created by the meetings app, moved here
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
        db_table = "meetings_buildingunit"  # created by the meetings app, moved here
        ordering = ["building", "sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")]
        verbose_name = _("building unit")
        verbose_name_plural = _("building units")

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.name)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.building.name}{self.name}"


class HouseholdQuerySet(models.QuerySet):
    def voting(self):
        """Households that vote: active ones, parking spaces left out (Household.votes).

        Chain a compound filter, or start from one: compound.households.voting().
        A poll may narrow this further (shops, scope): voting.actions.electorate.
        """
        return self.filter(is_active=True).exclude(kind=Household.Kind.PARKING)


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
    # HMAC of the owner's names and ID-number tail (compounds.identity): equal
    # keys mean the same owner; the digits themselves are never stored.
    owner_key = models.CharField(max_length=64, blank=True, db_index=True)
    developer_unsold = models.BooleanField(_("developer, unsold"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A household missing from a later roster is retired, never deleted:
    # meeting records refer to it.
    is_active = models.BooleanField(_("active"), default=True)
    sort_key = models.CharField(max_length=120, editable=False, default="")

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        db_table = "meetings_household"  # created by the meetings app, moved here
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
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetings_rosterupload"  # created by the meetings app, moved here
        ordering = ["-created_at"]
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")

    def __str__(self):
        return f"{self.compound} · {self.filename}"
