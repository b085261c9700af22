"""Care (关爱): visits to the people a population's rule says need one, and remote medical
help (远程医疗辅助).

A visit rule is data: a population, optionally one field's value (older people living
*alone*), and how many days may pass between visits. Which visits are due is read from the
visits themselves (``selectors.py``), never stored: a visit made is the only thing written.
A medical request is filed as an event of its own category, so it is timed, escalated and
closed like every event; the request holds the medical specifics and the steps.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet

# A rule's interval: at least daily, at most yearly.
LONGEST_INTERVAL = 366


class CareRule(models.Model):
    """How often the people of a population (or those of it whose ``field_key`` holds
    ``field_value``) are to be visited, and the event category a visit that finds someone in
    need of help is filed under."""

    population = models.ForeignKey("populations.Population", models.PROTECT,
                                    related_name="care_rules", verbose_name=_("population"))
    field_key = models.CharField(_("only when this field"), max_length=40, blank=True)
    field_value = models.CharField(_("holds this value"), max_length=40, blank=True)
    interval_days = models.PositiveSmallIntegerField(
        _("days between visits"),
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_INTERVAL)])
    category = models.ForeignKey("events.Category", models.PROTECT, related_name="+",
                                 verbose_name=_("event category when help is needed"))
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["population__name", "interval_days", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["population", "field_key", "field_value"],
                                    name="one_care_rule_per_condition"),
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1,
                                   interval_days__lte=LONGEST_INTERVAL),
                name="care_rule_interval_in_range"),
        ]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")

    def __str__(self) -> str:
        condition = f" · {self.field_key}={self.field_value}" if self.field_key else ""
        return f"{self.population}{condition} · {self.interval_days}"


class Outcome(models.TextChoices):
    WELL = "well", _("Seen, well")
    NEEDS_HELP = "needs_help", _("Needs help")
    NOT_HOME = "not_home", _("Not found at home")


class CareVisitQuerySet(ScopedQuerySet):
    pass


class CareVisit(models.Model):
    """One visit to one person, recorded on the spot. ``grid_code`` is the person's grid at
    the time (the visit stays where it was made when they move)."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="care_visits",
                               verbose_name=_("person"))
    rule = models.ForeignKey(CareRule, models.PROTECT, related_name="visits",
                             verbose_name=_("visit rule"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    visited_at = models.DateTimeField(_("visited at"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                blank=True, related_name="care_visits",
                                verbose_name=_("visited by"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The event "needs help" opened (only a demo rebuild deletes events).
    event = models.OneToOneField("events.Event", models.SET_NULL, null=True, blank=True,
                                 related_name="care_visit", verbose_name=_("event"))
    history = HistoricalRecords()

    objects = CareVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        # "When was this person last visited?" (what is due, the on-time share), and a
        # grid's visits over a period.
        indexes = [models.Index(fields=["person", "visited_at"], name="care_visit_person_at"),
                   models.Index(fields=["grid_code", "visited_at"], name="care_visit_grid_at")]
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.visited_at:%Y-%m-%d %H:%M}"


class Urgency(models.TextChoices):
    """As an event's priority (its hours come from the category)."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class AppointmentKind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class Courier(models.TextChoices):
    VOLUNTEER = "volunteer", _("A volunteer")
    GRID_WORKER = "grid_worker", _("The grid worker")


class MedicalRequestQuerySet(ScopedQuerySet):
    pass


class MedicalRequest(models.Model):
    """A request for remote medical help (远程医疗辅助) for a person, sent to the community
    health centre serving their grid. Its event (category "remote-medical", dispatched to
    the centre) carries the timing, the escalation and the closing; this row holds what is
    medical (symptoms, medicines) and the centre's steps: an appointment by phone or video,
    medicines delivered, a follow-up date. ``under_measure``: the person was under an active
    restrictive measure when it was filed, so it is served first."""

    person = models.ForeignKey("people.Person", models.PROTECT,
                               related_name="medical_requests", verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    centre = models.ForeignKey("organizations.Organization", models.PROTECT,
                               related_name="medical_requests",
                               verbose_name=_("health centre"))
    # Only a demo rebuild deletes events; the request has no timing without its event.
    event = models.OneToOneField("events.Event", models.CASCADE, related_name="medical_request",
                                 verbose_name=_("event"))
    symptoms = models.TextField(_("symptoms"), max_length=1000)
    medicines = models.CharField(_("medicines needed"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    under_measure = models.BooleanField(_("under a restrictive measure"), default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"))
    appointment_kind = models.CharField(_("appointment"), max_length=10, blank=True,
                                        choices=AppointmentKind.choices)
    appointment_at = models.DateTimeField(_("appointment at"), null=True, blank=True)
    appointment_note = models.CharField(_("appointment note"), max_length=200, blank=True)
    courier = models.CharField(_("medicines delivered by"), max_length=12, blank=True,
                               choices=Courier.choices)
    delivery_arranged_at = models.DateTimeField(_("delivery arranged at"), null=True,
                                                blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                              null=True, blank=True, related_name="+",
                                              verbose_name=_("delivery confirmed by"))
    follow_up_on = models.DateField(_("follow-up on"), null=True, blank=True)
    follow_up_note = models.CharField(_("follow-up note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = MedicalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["centre", "requested_at"], name="medical_centre_at"),
                   models.Index(fields=["grid_code", "requested_at"], name="medical_grid_at")]
        verbose_name = _("medical request")
        verbose_name_plural = _("medical requests")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.centre_id} @ {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def delivery_pending(self) -> bool:
        return self.delivery_arranged_at is not None and self.delivered_at is None
