"""Notices (信息发布): a notice to exactly one audience of its sender's jurisdiction, the
persons it reached when it was published (kept, so that a later move changes nothing), and
each one's receipt: read, acknowledged (an urgent notice asks for it), or told in person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class Audience(models.TextChoices):
    GRIDS = "grids", _("Grids")
    BUILDINGS = "buildings", _("Buildings")
    POPULATION = "population", _("A care population")
    AGE_BAND = "age_band", _("An age band")
    ORGANIZATION = "organization", _("An organization's members")
    JURISDICTION = "jurisdiction", _("Everyone in an area")


class NoticeQuerySet(ScopedQuerySet):
    """Scoped by the area a notice is for (``code``)."""

    scope_field = "code"


class Notice(models.Model):
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    urgent = models.BooleanField(_("urgent"), default=False,
                                 help_text=_("Asks each recipient to acknowledge it."))
    # The area it is for: the grid or division chosen, or the narrowest one around its grids
    # or buildings. Its recipients are all inside it.
    code = models.CharField(_("area code"), max_length=15)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    grid_codes = models.JSONField(_("grids"), default=list, blank=True)
    building_ids = models.JSONField(_("buildings"), default=list, blank=True)
    population = models.ForeignKey("populations.Population", models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("population"))
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organization"))
    age_min = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("sender"))
    # The public warning (CAP) this notice passes on to the residents of its grids.
    alert = models.ForeignKey("alerts.Alert", models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("public warning"))
    created = models.DateTimeField(_("written"))
    publish_at = models.DateTimeField(_("to be published"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    withdraw_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["code"], name="notice_code"),
                   models.Index(fields=["published_at", "publish_at"], name="notice_due")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "published" if self.published_at is not None else "scheduled"


class Recipient(models.Model):
    """A person a notice reached, in the grid they lived in then, and their receipt."""

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="recipients")
    person = models.ForeignKey("people.Person", models.CASCADE, related_name="+",
                               verbose_name=_("person"))
    grid_code = models.CharField(_("grid code"), max_length=15)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    told_at = models.DateTimeField(_("told in person"), null=True, blank=True)
    told_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                blank=True, related_name="+")
    told_note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "person"],
                                               name="one_receipt_per_person")]
        indexes = [models.Index(fields=["notice", "grid_code"], name="receipt_grid"),
                   models.Index(fields=["grid_code", "read_at"], name="receipt_unread"),
                   models.Index(fields=["person", "notice"], name="receipt_person")]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.person_id}"
