"""Places: buildings with dwellings, facilities and enterprises, each in one grid.

``grid_code`` is the grid a place lies in (15 digits). A building no grid contains is kept
*unplaced*: its ``grid_code`` is the 12-digit code of the division it was filed under, so it is
still scoped and listed until a grid boundary covers it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class PlaceQuerySet(ScopedQuerySet):
    def unplaced(self) -> "PlaceQuerySet":
        return self.filter(grid_code__regex=r"^\d{12}$")


class Located(models.Model):
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    address = models.CharField(_("address"), max_length=200)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_placed(self) -> bool:
        return len(self.grid_code) == 15


class Building(Located):
    name = models.CharField(_("name"), max_length=100)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    has_lift = models.BooleanField(_("lift"), null=True, blank=True)  # None: not known
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


class Dwelling(models.Model):
    building = models.ForeignKey(Building, models.PROTECT, related_name="dwellings",
                                 verbose_name=_("building"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True, editable=False)
    unit = models.PositiveSmallIntegerField(_("unit"))
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=20)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2,
                                     null=True, blank=True)
    # The owner is a person of the registry (a link, not a copied name and phone); while the
    # dwelling is rented its residents are the tenants (出租房屋: owner, tenants, lease).
    owner = models.ForeignKey("people.Person", models.SET_NULL, null=True, blank=True,
                              related_name="dwellings_owned", verbose_name=_("owner"))
    rented = models.BooleanField(_("rented out"), default=False)
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["building_id", "unit", "floor", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"],
                                               name="unique_dwelling")]
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")

    def __str__(self) -> str:
        return _("%(building)s unit %(unit)s room %(room)s") % {
            "building": self.building.name, "unit": self.unit, "room": self.room}


class FacilityKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    HOSPITAL = "hospital", _("Hospital")
    PHARMACY = "pharmacy", _("Pharmacy")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    MARKET = "market", _("Market")
    SHELTER = "shelter", _("Shelter")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    POLICE_STATION = "police_station", _("Police station")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    OTHER = "other", _("Other")


class Facility(Located):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class Enterprise(Located):
    """An enterprise or shop, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class BuildingAlias(models.Model):
    """Another way a building is written (an old name, a department's wording), added by staff
    or remembered from a choice in the address queue; the address base reads it before any
    other way (see places/addresses.py)."""

    building = models.ForeignKey(Building, models.PROTECT, related_name="aliases",
                                 verbose_name=_("building"))
    # The building's grid, copied so that aliases are scoped like every place.
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True, editable=False)
    text = models.CharField(_("written as"), max_length=200)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["building_id", "text"]
        constraints = [models.UniqueConstraint(fields=["building", "text"],
                                               name="unique_building_alias")]
        verbose_name = _("building alias")
        verbose_name_plural = _("building aliases")

    def __str__(self) -> str:
        return self.text
