"""Patrols (巡查, "no blind spots"): a grid worker walks a grid, checks off the buildings
visited and records what they find as events.

A patrol is scoped by the code of the grid it walks, like every other record; coverage (which
buildings no one has visited lately) is read from the visits (``selectors.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class PatrolQuerySet(ScopedQuerySet):
    def open(self) -> "PatrolQuerySet":
        return self.filter(ended_at__isnull=True)

    def with_counts(self) -> "PatrolQuerySet":
        """Each patrol with ``visit_count`` (buildings) and ``finding_count``."""
        # Grouped queries drop Meta.ordering: say it again.
        return self.annotate(visit_count=Count("visits", distinct=True),
                             finding_count=Count("findings", distinct=True)
                             ).order_by("-started_at", "-id")


class Patrol(models.Model):
    """One walk through one grid by one person, from start to end."""

    patroller = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                  related_name="patrols", verbose_name=_("patroller"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    history = HistoricalRecords()

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        constraints = [
            # One open patrol per person: a second start is refused (services.patrol_start).
            models.UniqueConstraint(fields=["patroller"], condition=Q(ended_at__isnull=True),
                                    name="one_open_patrol_per_patroller"),
        ]
        indexes = [
            models.Index(fields=["grid_code", "started_at"], name="patrol_grid_started"),
            models.Index(fields=["patroller", "started_at"], name="patrol_patroller_started"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_code} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PatrolVisit(models.Model):
    """A building checked off on a patrol (once per patrol)."""

    patrol = models.ForeignKey(Patrol, models.PROTECT, related_name="visits",
                               verbose_name=_("patrol"))
    building = models.ForeignKey("places.Building", models.PROTECT, related_name="patrol_visits",
                                 verbose_name=_("building"))
    visited_at = models.DateTimeField(_("visited at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["visited_at", "id"]
        verbose_name = _("patrol visit")
        verbose_name_plural = _("patrol visits")
        constraints = [models.UniqueConstraint(fields=["patrol", "building"],
                                               name="one_visit_per_building_and_patrol")]
        # Coverage asks "when was this building last visited?".
        indexes = [models.Index(fields=["building", "visited_at"], name="visit_building_at")]

    def __str__(self) -> str:
        return f"{self.building_id} @ {self.visited_at:%Y-%m-%d %H:%M}"


class PatrolFinding(models.Model):
    """An event recorded on a patrol: the event keeps the facts and its own history; this row
    says which patrol found it."""

    patrol = models.ForeignKey(Patrol, models.PROTECT, related_name="findings",
                               verbose_name=_("patrol"))
    # Only a demo rebuild deletes events; the link has no meaning without its event.
    event = models.OneToOneField("events.Event", models.CASCADE, related_name="patrol_finding",
                                 verbose_name=_("event"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")

    def __str__(self) -> str:
        return f"{self.patrol_id} → {self.event_id}"
