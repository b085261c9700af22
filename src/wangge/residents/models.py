"""Residents' accounts: an account bound to one person, the one-time codes and links they sign
in with, and the corrections they ask of their grid worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.access.models import HashedSecret
from wangge.foundation.codes import ScopedQuerySet


class ResidentAccount(models.Model):
    """A resident's account and the one person it is: each at most once on either side."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE,
                                related_name="resident_account", verbose_name=_("account"))
    person = models.OneToOneField("people.Person", models.PROTECT,
                                  related_name="resident_account", verbose_name=_("person"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident's account")
        verbose_name_plural = _("residents' accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id}"


class SignInCode(models.Model):
    """A one-time code sent to a phone. Neither the number nor the code is kept: the number as
    a keyed digest of its own (not the person record's index), the code as a keyed digest
    bound to that number."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    digest = models.CharField(max_length=64)
    created = models.DateTimeField()
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"code {self.pk}"


class SignInLink(HashedSecret):
    """A one-time sign-in link a grid worker makes for a person (only its digest is kept)."""

    PREFIX = "r_"

    person = models.ForeignKey("people.Person", models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   related_name="+")
    created = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"link {self.pk}"


class CorrectionState(models.TextChoices):
    OPEN = "open", _("Waiting for the grid worker")
    DONE = "done", _("Corrected")
    DECLINED = "declined", _("Not changed")


class RecordPart(models.TextChoices):
    """What a resident says is wrong in their record."""

    NAME = "name", pgettext_lazy("a person's", "Name")
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")
    DWELLING = "dwelling", _("Address")
    HOUSEHOLD = "household", pgettext_lazy("a person's", "Household and its members")
    HEALTH = "health", _("Health and care")
    OTHER = "other", _("Something else")


class CorrectionRequest(models.Model):
    """A resident's request to correct their record: a task for the grid worker of the grid
    the person lived in when asking (``grid_code``), answered once."""

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    parts = models.JSONField(_("what is wrong"), default=list)
    text = models.TextField(_("what should it say"))
    state = models.CharField(_("state"), max_length=10, choices=CorrectionState.choices,
                             default=CorrectionState.OPEN)
    created = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["grid_code", "state"], name="correction_open")]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return f"correction {self.pk}"


class RequestKind(models.TextChoices):
    """What a resident's request (诉求) is; each is filed under its own event category."""

    QUESTION = "question", _("A question")
    NEED = "need", _("A need")
    COMPLAINT = "complaint", _("A complaint")


class ResidentRequest(models.Model):
    """A signed-in resident's own request: an ordinary event in their grid (its deadline,
    escalation, dispatch, handling, verification, closing and ratings are the event's), and
    the person who asked, whose pages alone show it."""

    event = models.OneToOneField("events.Event", models.CASCADE,
                                 related_name="resident_request", verbose_name=_("event"))
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    # The grid the person lived in when asking (the event's): scopes the staff's reads.
    grid_code = models.CharField(_("grid code"), max_length=15)
    created = models.DateTimeField(_("asked"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["person", "created"], name="resident_request_own")]
        verbose_name = _("resident's request")
        verbose_name_plural = _("residents' requests")

    def __str__(self) -> str:
        return f"request {self.pk} ({self.kind})"
