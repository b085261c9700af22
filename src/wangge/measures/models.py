"""Lawful measures (依法防控): home health monitoring, home isolation, centralised isolation and
access control of a building, each a record that cannot become active without its legal basis,
its deciding authority (an organization holding that power), approval a level above, bounded
dates, the person responsible for the household, the time the person was notified, the
livelihood support arranged and the appeal channel shown to the person.

There is no kind that seals a door: ``MeasureKind`` is the whole list (a test holds it).
Writes go through ``services.py`` (every step a ``MeasureStep`` with who and why, besides the
record's history); reads through ``selectors.measures_visible_to``. Ended measures are reduced
to counts (``MeasureCount``) after ``WANGGE_MEASURE_RETENTION_DAYS`` by ``wangge purge``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class MeasureKind(models.TextChoices):
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")
    HOME_ISOLATION = "home_isolation", _("Home isolation")
    CENTRAL_ISOLATION = "central_isolation", _("Centralised isolation")
    BUILDING_CONTROL = "building_control", _("Access control of a building")


# A person's measures; a building's. Nothing else exists: no door is ever sealed.
PERSON_KINDS = frozenset({MeasureKind.HOME_MONITORING, MeasureKind.HOME_ISOLATION,
                          MeasureKind.CENTRAL_ISOLATION})
BUILDING_KINDS = frozenset({MeasureKind.BUILDING_CONTROL})
# The longest one approval may cover, in days from the start (or from the current end, for
# an extension): a review date comes before anything longer.
MAX_DAYS = {
    MeasureKind.HOME_MONITORING: 14,
    MeasureKind.HOME_ISOLATION: 14,
    MeasureKind.CENTRAL_ISOLATION: 14,
    MeasureKind.BUILDING_CONTROL: 7,
}


class MeasureState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    LIFTED = "lifted", _("Lifted")
    ENDED = "ended", _("Ended")
    REFUSED = "refused", _("Refused (never active)")


OPEN_STATES = (MeasureState.DRAFT, MeasureState.PENDING, MeasureState.ACTIVE)
CLOSED_STATES = (MeasureState.LIFTED, MeasureState.ENDED, MeasureState.REFUSED)


class LegalBasis(models.Model):
    """A law and article a measure may rest on, and the kinds of measure it supports (data,
    seeded by migration 0002 and kept in the back office)."""

    law = models.CharField(_("law"), max_length=100)
    article = models.CharField(_("article"), max_length=50)
    summary = models.TextField(_("what it provides"), blank=True)
    kinds = models.JSONField(_("kinds of measure it supports"), default=list)
    active = models.BooleanField(_("in force"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["law", "article"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        constraints = [models.UniqueConstraint(fields=["law", "article"],
                                               name="one_legal_basis_per_article")]

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class MeasurePower(models.Model):
    """An organization's power to decide measures of some kinds (granted in the back office
    by those who may, ``Action.GRANT_MEASURE_POWERS``)."""

    organization = models.OneToOneField("organizations.Organization", models.PROTECT,
                                        related_name="measure_power",
                                        verbose_name=_("organization"))
    kinds = models.JSONField(_("kinds of measure it may decide"), default=list)
    # The organization's division or grid, copied: scopes the power like its organization.
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "organization_id"]
        verbose_name = _("power to decide measures")
        verbose_name_plural = _("powers to decide measures")

    def __str__(self) -> str:
        return f"{self.organization_id}: {', '.join(self.kinds)}"


class Measure(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=MeasureState.choices,
                             default=MeasureState.DRAFT)
    # A person's measure, or a building's (by kind).
    person = models.ForeignKey("people.Person", models.PROTECT, null=True, blank=True,
                               related_name="measures", verbose_name=_("person"))
    building = models.ForeignKey("places.Building", models.PROTECT, null=True, blank=True,
                                 related_name="measures", verbose_name=_("building"))
    # The grid of the person or building: scopes the measure.
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    # Why the measure is needed (health data: masked for roles that do not need it).
    cause = models.TextField(_("reason for the measure"), blank=True)
    legal_basis = models.ForeignKey(LegalBasis, models.PROTECT, null=True, blank=True,
                                    related_name="measures", verbose_name=_("legal basis"))
    authority = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                  blank=True, related_name="measures",
                                  verbose_name=_("deciding authority"))
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end or review date"), null=True, blank=True)
    # 包保责任人: the account that answers for the household and hears of every step.
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="measures_responsible",
                                    verbose_name=_("person responsible"))
    notified_at = models.DateTimeField(_("person notified at"), null=True, blank=True)
    # Livelihood support (生活保障): each answered, even if the answer is "not needed".
    food = models.CharField(_("food"), max_length=200, blank=True)
    medicine = models.CharField(_("medicine"), max_length=200, blank=True)
    dependants_care = models.CharField(_("care for dependants"), max_length=200, blank=True)
    appeal_channel = models.CharField(_("appeal channel shown to the person"), max_length=300,
                                      blank=True)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("proposed by"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("approved by"))
    # An extension waiting for approval: the new end and why.
    extension_ends_on = models.DateField(_("extension to"), null=True, blank=True)
    extension_reason = models.CharField(_("why extend"), max_length=300, blank=True)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("lifted or ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [
            models.Index(fields=["state", "ends_on"], name="measure_state_end"),
            models.Index(fields=["state", "closed_at"], name="measure_state_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True) | models.Q(building__isnull=True),
                name="measure_of_a_person_or_a_building"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def subject_name(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.building.name if self.building is not None else ""


class StepKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHANGED = "changed", _("Changed")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved: active")
    REFUSED = "refused", _("Approval refused")
    EXTENSION_PROPOSED = "extension_proposed", _("Extension proposed")
    EXTENDED = "extended", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    LIFTED = "lifted", _("Lifted")
    ENDED = "ended", _("Ended")
    APPEALED = "appealed", _("Appealed")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
    APPEAL_REJECTED = "appeal_rejected", _("Appeal rejected")


# The steps the person's own page shows (what they are told).
PERSON_STEPS = (StepKind.APPROVED, StepKind.EXTENDED, StepKind.LIFTED, StepKind.ENDED,
                StepKind.APPEALED, StepKind.APPEAL_UPHELD, StepKind.APPEAL_REJECTED)


class MeasureStep(models.Model):
    """One step of a measure: what, who (none for the system, named in ``actor_name``),
    when and why."""

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    actor_name = models.CharField(_("by"), max_length=150)
    reason = models.CharField(_("why"), max_length=500)
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("step of a measure")
        verbose_name_plural = _("steps of measures")

    def __str__(self) -> str:
        return f"{self.measure_id} {self.kind}"


class AppealState(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    UPHELD = "upheld", _("Upheld: measure lifted")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """A person's appeal against their measure: a task for the deciding authority's staff,
    due within ``WANGGE_MEASURE_APPEAL_DAYS``."""

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="appeals")
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    text = models.TextField(_("the appeal"))
    contact = models.CharField(_("how to reach them"), max_length=100, blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    due_at = models.DateTimeField(_("answer due"))
    state = models.CharField(_("state"), max_length=10, choices=AppealState.choices,
                             default=AppealState.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["state", "due_at"], name="appeal_state_due")]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.state}"


class MeasureCount(models.Model):
    """What is left of a grid's measures of a kind proposed in a month once they are past
    retention: counts only."""

    grid_code = models.CharField(_("grid code"), max_length=15)
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    month = models.DateField(_("month proposed"))
    measures = models.PositiveIntegerField(_("measures"), default=0)
    activated = models.PositiveIntegerField(_("active at some time"), default=0)
    appeals = models.PositiveIntegerField(_("appeals"), default=0)
    appeals_upheld = models.PositiveIntegerField(_("appeals upheld"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "grid_code", "kind"]
        verbose_name = _("measure count")
        verbose_name_plural = _("measure counts")
        constraints = [models.UniqueConstraint(fields=["grid_code", "kind", "month"],
                                               name="one_measure_count_per_grid_kind_month")]

    def __str__(self) -> str:
        return f"{self.grid_code} {self.kind} {self.month}: {self.measures}"
