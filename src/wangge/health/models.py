"""Daily health monitoring (健康监测): one check-in per person per day, the event a worrying
answer opens, and what is left of old check-ins once they are past retention (counts).

A check-in is a daily observation that a repeated answer replaces (``revisions`` counts the
answers, ``at`` is the last): it keeps who entered it and how, and no history table, since a
history would keep health data past the retention period that ``wangge purge`` enforces.
Writes go through ``services.check_ins_save`` (one code path for pages, API, imports and the
group-commit writer); reads through ``selectors.check_ins_visible_to``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.foundation.codes import ScopedQuerySet


class Symptom(models.TextChoices):
    """The fixed list a check-in asks about (data-minimal: nothing typed freely)."""

    COUGH = "cough", _("Cough")
    SORE_THROAT = "sore_throat", _("Sore throat")
    SHORT_OF_BREATH = "short_of_breath", _("Short of breath")
    FATIGUE = "fatigue", _("Fatigue")
    SMELL_TASTE = "smell_taste", _("Lost smell or taste")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class EnteredBy(models.TextChoices):
    SELF = "self", _("The person")
    HOUSEHOLD = "household", _("A household member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    INSTITUTION = "institution", _("Institution")


class CheckInChannel(models.TextChoices):
    POSTER = "poster", _("Building QR poster")
    LINK = "link", _("Link from the grid worker")
    PAGE = "page", _("Staff page")
    API = "api", _("API")
    IMPORT = "import", _("Imported list")


class CheckIn(models.Model):
    """One person's answer for one day (the latest, if they answered again)."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="check_ins",
                               verbose_name=_("person"))
    day = models.DateField(_("day"))
    # The person's grid when they answered: scopes the check-in like every other record.
    grid_code = models.CharField(_("grid code"), max_length=15)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    test_result = models.CharField(_("test result"), max_length=10, blank=True,
                                   choices=TestResult.choices)
    # Fever, a listed symptom or a positive test (services.alert_reasons).
    alert = models.BooleanField(_("needs attention"), default=False)
    entered_by = models.CharField(_("entered by"), max_length=12, choices=EnteredBy.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=CheckInChannel.choices)
    # The account that entered it (a grid worker, an institution's); none for a resident.
    recorder = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("recorded by"))
    at = models.DateTimeField(_("answered at"))
    revisions = models.PositiveSmallIntegerField(_("answers that day"), default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "grid_code", "person_id"]
        verbose_name = _("health check-in")
        verbose_name_plural = _("health check-ins")
        constraints = [
            # A repeated check-in the same day updates this row (services: an upsert).
            models.UniqueConstraint(fields=["person", "day"],
                                    name="one_check_in_per_person_and_day"),
        ]
        indexes = [
            # A grid's day: who has checked in, the counts, the alerts.
            models.Index(fields=["grid_code", "day"], name="check_in_grid_day"),
            # Retention: everything before a day (wangge purge).
            models.Index(fields=["day"], name="check_in_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"


class CheckInAlert(models.Model):
    """The event a worrying check-in opened: at most one per person and day, however often
    they answer (the constraint holds it against two writers at once)."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="check_in_alerts",
                               verbose_name=_("person"))
    day = models.DateField(_("day"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    event = models.OneToOneField("events.Event", models.PROTECT, related_name="check_in_alert",
                                 verbose_name=_("event"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "person_id"]
        verbose_name = _("check-in alert")
        verbose_name_plural = _("check-in alerts")
        constraints = [models.UniqueConstraint(fields=["person", "day"],
                                               name="one_check_in_alert_per_person_and_day")]
        indexes = [models.Index(fields=["day"], name="check_in_alert_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day} → {self.event_id}"


class CheckInCount(models.Model):
    """What is left of a grid's day of check-ins once they are past retention: counts only
    (``services.check_ins_purge``)."""

    grid_code = models.CharField(_("grid code"), max_length=15)
    day = models.DateField(_("day"))
    checked_in = models.PositiveIntegerField(_("checked in"), default=0)
    fever = models.PositiveIntegerField(_("with a fever"), default=0)
    symptoms = models.PositiveIntegerField(_("with a listed symptom"), default=0)
    positive = models.PositiveIntegerField(_("tested positive"), default=0)
    alerts = models.PositiveIntegerField(_("needing attention"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "grid_code"]
        verbose_name = _("check-in count")
        verbose_name_plural = _("check-in counts")
        constraints = [models.UniqueConstraint(fields=["grid_code", "day"],
                                               name="one_check_in_count_per_grid_and_day")]

    def __str__(self) -> str:
        return f"{self.grid_code} {self.day}: {self.checked_in}"
