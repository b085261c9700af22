"""Record linkage in the platform: pairs of persons that may be one person, and the merges
made of them (kept so that each can be undone)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MatchCandidate(models.Model):
    """Two persons that linkage scored as possibly one, with the evidence, waiting for a
    person's decision (or decided, automatically or by a reviewer). ``left`` is the record
    with the smaller key, so a pair is found again, not queued twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("One person: merged")
        REJECTED = "rejected", _("Two people: kept apart")

    left = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    right = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                              verbose_name=_("other person"))
    probability = models.FloatField(_("match probability"))
    weight = models.FloatField(_("match weight"))
    # The explanation `wangge link --explain` prints: per comparison both sides' normalised
    # values, the level, m, u and the weight; then the prior, the total and any rule.
    evidence = models.JSONField(_("evidence"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    found = models.DateTimeField(_("found"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("reviewer"))
    reviewed = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("match candidate")
        verbose_name_plural = _("match candidates")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_candidate_per_pair"),
            models.CheckConstraint(condition=Q(left__lt=F("right")),
                                   name="candidate_left_before_right"),
        ]

    def __str__(self) -> str:
        return f"{self.left} ~ {self.right} ({self.probability:.3f})"


class Merge(models.Model):
    """``absorbed`` merged into ``kept``: what moved, field by field, so that undoing it
    restores both records. ``changes`` maps a kind of record (person, household,
    membership) and its key to ``{field: [before, after]}``."""

    kept = models.ForeignKey("people.Person", models.PROTECT, related_name="merges_kept",
                             verbose_name=_("kept record"))
    absorbed = models.ForeignKey("people.Person", models.PROTECT, related_name="merges_absorbed",
                                 verbose_name=_("merged record"))
    candidate = models.ForeignKey(MatchCandidate, models.PROTECT, null=True, blank=True,
                                  related_name="merges", verbose_name=_("match candidate"))
    automatic = models.BooleanField(_("automatic"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("merged by"))
    reason = models.CharField(_("reason"), max_length=300)
    merged = models.DateTimeField(_("merged"), auto_now_add=True)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("undone by"))
    undone = models.DateTimeField(_("undone"), null=True, blank=True)
    undo_reason = models.CharField(_("reason for undoing"), max_length=200, blank=True)
    # Fields an undo left as they were, because someone changed them after the merge.
    kept_as_changed = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-merged", "-pk"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.kept_id}"
