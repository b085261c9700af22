"""The in-app inbox and what each person receives on each delivery channel.

A notification is one line in a person's inbox about an event; the event loop announces its
news (``wangge.events.signals.event_news``) and this app files and delivers it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.events.models import Event, News

# Besides the event loop's news, filed by ``notify_about``: a step of a lawful measure, a
# material running low or expiring, a call to an emergency team, a public warning, a notice
# to residents, a resident's request to correct their record, an answer to a resident's own
# request or correction, a call to a volunteer task, a community convention to discuss or vote.
MEASURE = "measure"
STOCK = "stock"
CALLOUT = "callout"
ALERT = "alert"
NOTICE = "notice"
CORRECTION = "correction"
ANSWER = "answer"
VOLUNTEERING = "volunteering"
CONVENTION = "convention"
KIND_CHOICES = [*News.choices,
                (MEASURE, _("A lawful measure I answer for or decide")),
                (STOCK, _("Emergency materials I own running low or expiring")),
                (CALLOUT, _("A call to an emergency team I belong to")),
                (ALERT, _("A public warning for my area")),
                (NOTICE, _("A notice from my community")),
                (CORRECTION, _("A resident asking for their record to be corrected")),
                (ANSWER, _("An answer to my request or correction")),
                (VOLUNTEERING, _("A call to a volunteer task")),
                (CONVENTION, _("A community convention to discuss or vote on"))]
KINDS = [value for value, _label in KIND_CHOICES]


class Notification(models.Model):
    """One line in a person's inbox; other channels deliver a copy of it. The wording is
    composed when shown (``services.describe``), in the reader's language: from the event,
    or, for a notification about anything else, from ``wording`` (an English msgid) and its
    ``values``, linking to ``link``."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                                  related_name="notifications")
    event = models.ForeignKey(Event, models.CASCADE, related_name="notifications", null=True,
                              blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    wording = models.CharField(max_length=200, blank=True)
    values = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                              blank=True, related_name="+")
    # What the wording needs beyond the event: a state, a name, a comment's first words.
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id} → {self.recipient_id}"


class WebhookFormat(models.TextChoices):
    """The body a group-chat bot expects."""

    WECOM = "wecom", _("WeCom group bot")
    DINGTALK = "dingtalk", _("DingTalk group bot")
    FEISHU = "feishu", _("Feishu group bot")
    JSON = "json", _("Plain JSON")


class NotificationPreference(models.Model):
    """What a person receives, per delivery channel: ``kinds`` maps a channel's name to the
    notification kinds it delivers (a channel not named there uses its own default)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE,
                                related_name="notification_preference")
    kinds = models.JSONField(default=dict)
    webhook_url = models.URLField(_("group-chat bot webhook"), blank=True)
    webhook_format = models.CharField(_("webhook format"), max_length=10,
                                      choices=WebhookFormat.choices, default=WebhookFormat.WECOM)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")


    def __str__(self) -> str:
        return str(self.user)
