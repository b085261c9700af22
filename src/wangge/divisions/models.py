"""Administrative divisions (province → community) and the grids under communities."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import Level, ScopedQuerySet


class DivisionQuerySet(ScopedQuerySet):
    scope_field = "code"


class Division(models.Model):
    """A province, city, district, street or community, keyed by its 12-digit code."""

    code = models.CharField(_("statistical code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices[:-1])
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    history = HistoricalRecords()

    objects = DivisionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def gb2260_code(self) -> str:
        """The 6-digit GB/T 2260 code of the county this division is in (or is)."""
        return self.code[:6]


class GridQuerySet(ScopedQuerySet):
    scope_field = "code"

    def containing_bbox(self, lon: float, lat: float) -> "GridQuerySet":
        return self.filter(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)


class Grid(models.Model):
    """The smallest unit of management: a few hundred households under a community."""

    code = models.CharField(_("grid code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Division, models.PROTECT, related_name="grids", verbose_name=_("community"),
        limit_choices_to={"level": Level.COMMUNITY},
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"))
    # The bounding box narrows point-in-polygon and overlap checks to a few candidates.
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    history = HistoricalRecords()

    objects = GridQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
