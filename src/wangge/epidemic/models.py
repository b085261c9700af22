"""Cases and exposures (病例与密接): a case on the one person record with the tests behind it,
venues (场所码) and the time windows people spent there, and who was exposed to a case, how,
and through whom.

Writes go through ``services`` (one code path for pages, API and imports), which announce the
persons and places touched through ``health.signals.risk_inputs_changed`` for the risk grades.
Every record carries the ``grid_code`` that scopes it (a case and an exposure: the person's grid
when recorded; a venue and a visit: the venue's), so each is read through its selector.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class CaseStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")
    RECOVERED = "recovered", _("Recovered")
    EXCLUDED = "excluded", _("Excluded")


class CaseSource(models.TextChoices):
    """Who reported the case."""

    HOSPITAL = "hospital", _("Hospital or fever clinic")
    CDC = "cdc", _("Centre for disease control")
    SCREENING = "screening", _("Mass screening")
    CHECK_IN = "check_in", _("Health check-in")
    TRACING = "tracing", _("Contact tracing")
    SELF = "self", _("Self-reported")


class Case(models.Model):
    """One episode of infection of one person, from suspicion to recovery or exclusion.

    The status moves on through ``services.case_update`` (with the history of every change);
    the dates say when each step happened. ``source_case`` is the case it was caught from, when
    known: the chain of transmission is followed through it both ways.
    """

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="cases",
                               verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices)
    source = models.CharField(_("reported by"), max_length=10, choices=CaseSource.choices)
    source_detail = models.CharField(_("reporting unit"), max_length=100, blank=True)
    onset_on = models.DateField(_("onset of symptoms"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"))
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    ended_on = models.DateField(_("recovered or excluded on"), null=True, blank=True)
    source_case = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                    related_name="onward_cases",
                                    verbose_name=_("caught from"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["status", "reported_on"], name="case_status_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status} {self.reported_on}"


class TestKind(models.TextChoices):
    PCR = "pcr", _("Nucleic acid (PCR)")
    ANTIGEN = "antigen", _("Antigen")
    ANTIBODY = "antibody", _("Antibody")


class CaseTest(models.Model):
    """A test result behind a case (the laboratory's, not the resident's check-in answer)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="tests",
                             verbose_name=_("case"))
    kind = models.CharField(_("test"), max_length=10, choices=TestKind.choices)
    taken_on = models.DateField(_("sampled on"))
    positive = models.BooleanField(_("positive"))
    laboratory = models.CharField(_("laboratory"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "taken_on", "id"]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.taken_on}"


class Venue(models.Model):
    """A facility or an enterprise with a venue code (场所码) that visitors scan."""

    code = models.CharField(_("venue code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    facility = models.OneToOneField("places.Facility", models.PROTECT, null=True, blank=True,
                                    related_name="venue", verbose_name=_("facility"))
    enterprise = models.OneToOneField("places.Enterprise", models.PROTECT, null=True,
                                      blank=True, related_name="venue",
                                      verbose_name=_("enterprise"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(facility__isnull=True) ^ models.Q(enterprise__isnull=True),
                name="venue_is_one_place",
            )
        ]

    def __str__(self) -> str:
        return self.name


class VenueVisit(models.Model):
    """A person at a venue from ``arrived`` to ``left`` (a scan in and out, or an estimate)."""

    venue = models.ForeignKey(Venue, models.PROTECT, related_name="visits",
                              verbose_name=_("venue"))
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="venue_visits",
                               verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    arrived = models.DateTimeField(_("arrived"))
    left = models.DateTimeField(_("left"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["venue", "arrived"]
        verbose_name = _("venue visit")
        verbose_name_plural = _("venue visits")
        indexes = [
            # Who shared a venue's window with a case.
            models.Index(fields=["venue", "arrived"], name="visit_venue_time"),
            models.Index(fields=["person", "arrived"], name="visit_person_time"),
            models.Index(fields=["grid_code"], name="visit_grid"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(left__gte=models.F("arrived")),
                                              name="visit_ends_after_it_starts")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.venue_id} {self.arrived}"


class ExposureDegree(models.TextChoices):
    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")


class ExposureKind(models.TextChoices):
    """How the person was exposed."""

    HOUSEHOLD = "household", _("Same household")
    BUILDING = "building", _("Same building")
    VENUE = "venue", _("Same venue at the same time")
    LISTED = "listed", _("Listed contact")


class Exposure(models.Model):
    """A person exposed to a case: close, or secondary through a close contact (``via``)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="exposures",
                             verbose_name=_("case"))
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="exposures",
                               verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    degree = models.CharField(_("degree"), max_length=10, choices=ExposureDegree.choices)
    kind = models.CharField(_("how"), max_length=10, choices=ExposureKind.choices)
    # The close contact a secondary contact was exposed through.
    via = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                            related_name="secondary", verbose_name=_("through"))
    visit = models.ForeignKey(VenueVisit, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("venue visit"))
    last_contact_on = models.DateField(_("last contact on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "degree", "person_id"]
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"],
                                    name="one_exposure_per_case_and_person"),
            models.CheckConstraint(
                condition=models.Q(degree="close", via__isnull=True)
                | models.Q(degree="secondary", via__isnull=False),
                name="secondary_exposure_has_a_way",
            ),
        ]
        indexes = [models.Index(fields=["person", "last_contact_on"], name="exposure_person_day")]

    def __str__(self) -> str:
        return f"{self.person_id} ← {self.case_id} ({self.degree})"
