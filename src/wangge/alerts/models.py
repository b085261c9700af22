"""Public alerts (预警信息发布) as OASIS CAP 1.2 messages, and the scheduled preparedness messages
of a community.

An ``Alert`` is one CAP ``<alert>`` with one ``<info>`` block (language zh-CN) whose area is
the affected grids' polygons. A published alert never changes (CAP messages are immutable):
an update or a cancellation is a new alert that ``replaces`` it, and the replaced one is no
longer current. Writes go through ``services.py``; reads through
``selectors.alerts_visible_to``; ``cap.py`` renders the XML.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.divisions.models import Grid
from wangge.foundation.codes import ScopedQuerySet


class Status(models.TextChoices):
    """CAP <status>: a real warning, an exercise (drills: participants only), or a test."""

    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    TEST = "Test", pgettext_lazy("CAP status", "Test")


class MessageType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", pgettext_lazy("CAP message type", "Cancel")


class Scope(models.TextChoices):
    """CAP <scope>: an actual warning is public; an exercise or a test is restricted to its
    participants (and says so in <restriction>)."""

    PUBLIC = "Public", _("Public")
    RESTRICTED = "Restricted", _("Restricted")


class Category(models.TextChoices):
    GEO = "Geo", _("Geophysical (earthquake, landslide)")
    MET = "Met", _("Meteorological (typhoon, flood, heat)")
    SAFETY = "Safety", _("General safety")
    SECURITY = "Security", _("Law enforcement, public order")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Public health")
    ENV = "Env", _("Pollution and environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Utilities and infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear, explosive")
    OTHER = "Other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate: act now")
    EXPECTED = "Expected", _("Expected: act within the hour")
    FUTURE = "Future", _("Future: act in the near future")
    PAST = "Past", _("Past: no longer needed")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme threat to life or property")
    SEVERE = "Severe", _("Significant threat to life or property")
    MODERATE = "Moderate", _("Possible threat to life or property")
    MINOR = "Minor", _("Minimal to no known threat")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed: it is happening")
    LIKELY = "Likely", _("Likely (more than 50 %)")
    # xgettext:no-python-format ("% o" is a percent sign, not a placeholder)
    POSSIBLE = "Possible", _("Possible (50 % or less)")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class AlertQuerySet(ScopedQuerySet):
    def in_scope(self, prefixes: Iterable[str]) -> "AlertQuerySet":
        """Alerts with an affected grid in one of ``prefixes`` (an alert has no code of its
        own: its area is its grids)."""
        prefixes = list(prefixes)
        if "" in prefixes:
            return self.all()
        grids = Grid.objects.in_scope(prefixes)
        return self.filter(pk__in=Alert.objects.filter(grids__in=grids).values("pk"))

    def current(self, now: datetime.datetime) -> "AlertQuerySet":
        """In force at ``now``: neither replaced nor a cancellation, and not expired."""
        return self.filter(replaced_by__isnull=True).exclude(msg_type=MessageType.CANCEL).filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=now))

    def public(self) -> "AlertQuerySet":
        """Real warnings for everyone: never an exercise, a test or a restricted one."""
        return self.filter(status=Status.ACTUAL, scope=Scope.PUBLIC)


class Alert(models.Model):
    # CAP <identifier>: unique and stable (a urn:uuid), never reused.
    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    sender = models.CharField(_("sender"), max_length=200)
    sent = models.DateTimeField(_("sent"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MessageType.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    # The alert this one updates or cancels; each is replaced at most once.
    replaces = models.OneToOneField("self", models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces"))
    # The one <info> block.
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    event = models.CharField(_("event"), max_length=100)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    effective = models.DateTimeField(_("effective"), null=True, blank=True)
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    web = models.URLField(_("web link"), blank=True)
    # CAP <note>: why an update or a cancellation was sent.
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The area: the affected grids (their polygons); areaDesc is their names.
    # Not "alerts": pages annotate grids with their health alerts under that name.
    grids = models.ManyToManyField("divisions.Grid", related_name="public_alerts",
                                   verbose_name=_("affected grids"))
    # An exercise's or a test's participants: the only people it reaches.
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                          related_name="alert_exercises",
                                          verbose_name=_("participants"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("issued by"))
    # A scheduled preparedness message's occurrence (one alert per message and date).
    preparedness = models.ForeignKey("PreparednessMessage", models.PROTECT, null=True,
                                     blank=True, related_name="alerts",
                                     verbose_name=_("preparedness message"))
    due_on = models.DateField(_("scheduled for"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-sent", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["preparedness", "due_on"],
                                    name="one_alert_per_preparedness_date"),
        ]

    def __str__(self) -> str:
        return self.headline


class Topic(models.TextChoices):
    NATURAL_HAZARDS = "natural_hazards", _("Natural hazards")
    SAFETY = "safety", _("Safety")
    PUBLIC_HEALTH = "public_health", _("Public health")


class Repeat(models.TextChoices):
    ONCE = "once", _("Once")
    MONTHLY = "monthly", _("Every month")
    YEARLY = "yearly", _("Every year")


class PreparednessQuerySet(ScopedQuerySet):
    scope_field = "community_code"


class PreparednessMessage(models.Model):
    """A community's scheduled preparedness message (防灾减灾、安全、健康宣传): published as a
    public alert to the community's grids on its date, once or every month or year, by
    `wangge alerts-due`."""

    # The community (12 digits): scopes the message; its grids receive it.
    community_code = models.CharField(_("community"), max_length=12, db_index=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instruction"), blank=True)
    starts_on = models.DateField(_("first date"))
    repeat = models.CharField(_("repeats"), max_length=10, choices=Repeat.choices,
                              default=Repeat.ONCE)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("created by"))
    history = HistoricalRecords()

    objects = PreparednessQuerySet.as_manager()

    class Meta:
        ordering = ["community_code", "starts_on", "id"]
        verbose_name = _("preparedness message")
        verbose_name_plural = _("preparedness messages")

    def __str__(self) -> str:
        return self.headline
