"""Graded risk (分级分类): rules as versioned data, the grade each subject has now with the
reasons for it, and every change of grade.

A ``RuleSet`` is one version of the rules (``rules``: a list of rule objects that
``rules.py`` validates and evaluates; no code in the data). One version is in force at a time;
a draft can be previewed against it and then put in force. ``Grade`` is a subject's current
grade (only medium and high are stored: a subject without a row is low), with the reasons that
produced it; ``GradeChange`` keeps each change with the version that made it. Grades are
scoped by ``grid_code`` (a community's: its 12-digit code, so the prefix scope holds).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.foundation.codes import ScopedQuerySet


class Level(models.IntegerChoices):
    LOW = 0, _("Low risk")
    MEDIUM = 1, _("Medium risk")
    HIGH = 2, _("High risk")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUILDING = "building", _("Building")
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    RETIRED = "retired", _("Retired")


class RuleSet(models.Model):
    """One version of the grading rules."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=RuleSetStatus.choices,
                              default=RuleSetStatus.DRAFT)
    rules = models.JSONField(_("rules"), default=list)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("written by"))
    created = models.DateTimeField(_("written"), auto_now_add=True)
    in_force_from = models.DateTimeField(_("in force from"), null=True, blank=True)
    put_in_force_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                        blank=True, related_name="+",
                                        verbose_name=_("put in force by"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("risk rule set")
        verbose_name_plural = _("risk rule sets")
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="in_force"),
                                    name="one_rule_set_in_force"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.status})"


class Grade(models.Model):
    """A subject's grade now, medium or high, and why (``reasons``: one line per rule that
    matched, with the facts it matched on)."""

    kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices)
    # The person's or building's id, or the grid's or community's code.
    key = models.CharField(_("key"), max_length=20)
    grid_code = models.CharField(_("grid code"), max_length=15)
    level = models.PositiveSmallIntegerField(_("grade"), choices=Level.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    since = models.DateTimeField(_("since"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "grid_code", "key"]
        verbose_name = _("risk grade")
        verbose_name_plural = _("risk grades")
        constraints = [models.UniqueConstraint(fields=["kind", "key"],
                                               name="one_grade_per_subject")]
        indexes = [models.Index(fields=["kind", "grid_code"], name="grade_kind_area")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.level}"


class GradeChange(models.Model):
    """A subject's grade changed: from, to, why, by which version of the rules, when."""

    kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices)
    key = models.CharField(_("key"), max_length=20)
    grid_code = models.CharField(_("grid code"), max_length=15)
    before = models.PositiveSmallIntegerField(_("grade before"), choices=Level.choices)
    after = models.PositiveSmallIntegerField(_("grade after"), choices=Level.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    rule_set = models.ForeignKey(RuleSet, models.PROTECT, related_name="+",
                                 verbose_name=_("rules"))
    at = models.DateTimeField(_("at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("risk grade change")
        verbose_name_plural = _("risk grade changes")
        indexes = [
            models.Index(fields=["kind", "key", "at"], name="grade_change_subject"),
            models.Index(fields=["grid_code", "at"], name="grade_change_area_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.before} → {self.after}"
