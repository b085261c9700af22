"""Volunteers and party members reporting in (志愿者, 双报到): a person's report-in to a
community, the community's tasks and who takes part, the hours confirmed, the points rules of
each community and the append-only points ledger."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class Skill(models.TextChoices):
    MEDICAL = "medical", _("Medical care, first aid")
    ELDER_CARE = "elder_care", _("Care of the elderly")
    CHILDREN = "children", _("Tutoring, children")
    DRIVING = "driving", _("Driving")
    REPAIR = "repair", _("Repairs, electrics")
    LEGAL = "legal", _("Legal advice")
    PSYCHOLOGY = "psychology", _("Counselling")
    TRANSLATION = "translation", _("Languages, sign language")
    COMPUTING = "computing", _("Computers, phones")
    PUBLICITY = "publicity", _("Publicity, writing, photos")
    LOGISTICS = "logistics", _("Carrying, deliveries, stewarding")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("Waiting for the community")
    CONFIRMED = "confirmed", pgettext_lazy("a volunteer's report-in", "Confirmed")
    DECLINED = "declined", pgettext_lazy("a volunteer's report-in", "Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CommunityQuerySet(ScopedQuerySet):
    """Scoped by the community a record belongs to (``code``, 12 digits)."""

    scope_field = "code"


class Registration(models.Model):
    """A person's report-in (报到) to one community: as a volunteer, as a party member (双报到:
    naming their own party organization, whose side sees it too), or both."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    code = models.CharField(_("community code"), max_length=12)
    as_volunteer = models.BooleanField(_("as a volunteer"), default=True)
    as_party_member = models.BooleanField(_("as a party member"), default=False)
    party_organization = models.ForeignKey(
        "organizations.Organization", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("own party organization"))
    skills = models.JSONField(_("skills"), default=list, blank=True)
    skills_text = models.CharField(_("other skills"), max_length=200, blank=True)
    days = models.JSONField(_("days available"), default=list, blank=True)
    times = models.CharField(_("times available"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=RegistrationState.choices,
                             default=RegistrationState.PENDING)
    created = models.DateTimeField(_("reported in"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                      blank=True, related_name="+",
                                      verbose_name=_("registered by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = CommunityQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "code"],
                                               name="one_report_in_per_community")]
        indexes = [models.Index(fields=["code", "state"], name="registration_state")]
        ordering = ["-created", "-id"]
        verbose_name = _("report-in")
        verbose_name_plural = _("report-ins")

    def __str__(self) -> str:
        return f"{self.person} @ {self.code}"


class TaskKind(models.TextChoices):
    GENERAL = "general", _("General service")
    ELDER_CARE = "elder_care", _("Care of the elderly")
    ENVIRONMENT = "environment", _("Clean-up, environment")
    PUBLICITY = "publicity", _("Publicity")
    EPIDEMIC = "epidemic", _("Epidemic prevention")
    EMERGENCY = "emergency", _("Emergency")


class Task(models.Model):
    """A task a community posts for its confirmed volunteers."""

    code = models.CharField(_("community code"), max_length=12)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices,
                            default=TaskKind.GENERAL)
    urgent = models.BooleanField(_("urgent"), default=False)
    skills = models.JSONField(_("skills wanted"), default=list, blank=True)
    needed = models.PositiveSmallIntegerField(_("volunteers needed"))
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  related_name="+", verbose_name=_("organizer"))
    # Who volunteers ask about the task: the organizer's name and a work phone, shown to them.
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created = models.DateTimeField(_("posted"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    history = HistoricalRecords()

    objects = CommunityQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["code", "starts_at"], name="task_when")]
        ordering = ["-starts_at", "-id"]
        verbose_name = _("volunteer task")
        verbose_name_plural = _("volunteer tasks")

    def __str__(self) -> str:
        return self.title


class ParticipationState(models.TextChoices):
    CALLED = "called", _("Called, no answer yet")
    SIGNED_UP = "signed_up", _("Taking part")
    DECLINED = "declined", _("Declined the call")
    WITHDRAWN = "withdrawn", _("Withdrew")


class Participation(models.Model):
    """A confirmed volunteer on a task: signed up, or called by staff; and the hours the
    organizer confirmed afterwards."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="participations")
    registration = models.ForeignKey(Registration, models.PROTECT, related_name="participations")
    state = models.CharField(_("state"), max_length=10, choices=ParticipationState.choices)
    called = models.BooleanField(_("called by staff"), default=False)
    created = models.DateTimeField(_("since"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, null=True,
                                blank=True)
    hours_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                 blank=True, related_name="+",
                                 verbose_name=_("hours confirmed by"))
    hours_at = models.DateTimeField(_("hours confirmed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "registration"],
                                               name="one_participation_per_task")]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.registration_id} on {self.task_id}"


class PointRule(models.Model):
    """How a community turns confirmed hours into points (``DEFAULT_RULE`` where none)."""

    code = models.CharField(_("community code"), max_length=12, unique=True)
    points_per_hour = models.DecimalField(_("points per hour"), max_digits=5,
                                          decimal_places=1)
    urgent_bonus = models.DecimalField(_("bonus for an urgent task"), max_digits=5,
                                       decimal_places=1, default=0)
    # {task kind: bonus points per task}
    kind_bonus = models.JSONField(_("bonus per task kind"), default=dict, blank=True)
    history = HistoricalRecords()

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")

    def __str__(self) -> str:
        return self.code


class LedgerEntry(models.Model):
    """One line of the points ledger. Append-only: a correction is a new line with its reason,
    never an edit, so a balance is the sum of the lines and every change keeps its why."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    code = models.CharField(_("community code"), max_length=12)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=1)
    reason = models.CharField(_("why"), max_length=200)
    task = models.ForeignKey(Task, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("task"))
    participation = models.ForeignKey(Participation, models.PROTECT, null=True, blank=True,
                                      related_name="ledger")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    by_name = models.CharField(_("by (system)"), max_length=100, blank=True)
    created = models.DateTimeField(_("when"))

    objects = CommunityQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["code", "created"], name="ledger_period"),
                   models.Index(fields=["person", "code"], name="ledger_person")]
        ordering = ["-created", "-id"]
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger")

    def __str__(self) -> str:
        return f"{self.person_id} {self.points:+}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The data's own invariant, not a business rule: a written line never changes.
        if self.pk is not None:
            raise ValueError("the points ledger is append-only: write a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("the points ledger is append-only: write a correction instead")
