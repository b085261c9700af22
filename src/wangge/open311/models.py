"""Reports from the public: the residents' page and Open311 GeoReport v2 clients.

The event itself is an ordinary ``events.Event`` (channel "public", no reporter account); this
app keeps how it reached us and how to reach the person who sent it, which staff see and the
public never does.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.access.models import HashedSecret
from wangge.foundation.codes import scope_prefix


class Open311Key(HashedSecret):
    """An Open311 client. It files and reads requests within one jurisdiction (a division or
    grid code); only the SHA-256 of its key is stored, the key is shown once."""

    PREFIX = "o311_"

    name = models.CharField(_("name"), max_length=100, unique=True)
    jurisdiction_code = models.CharField(_("jurisdiction"), max_length=15)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction_code})"

    @property
    def scope_prefix(self) -> str:
        return scope_prefix(self.jurisdiction_code)


class Source(models.TextChoices):
    PAGE = "page", _("Residents' page")
    OPEN311 = "open311", _("Open311 client")


class PublicReport(models.Model):
    """How a public report reached us, and the contact its sender chose to leave (optional;
    shown to staff who see the event, never on public pages or unkeyed Open311 reads)."""

    event = models.OneToOneField("events.Event", models.CASCADE, primary_key=True,
                                 related_name="public_report", verbose_name=_("event"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    client = models.ForeignKey(Open311Key, models.PROTECT, null=True, blank=True,
                               related_name="reports", verbose_name=_("Open311 client"))
    contact_name = models.CharField(_("name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    # Open311's identifiers of the sender in the client's own system.
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    account_id = models.CharField(_("account"), max_length=100, blank=True)
    # A resident signed in when they sent it: the report is on their home page ("my
    # reports"). Not a reporter: the event stays the public's, with no account behind it.
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                 blank=True, related_name="public_reports",
                                 verbose_name=_("resident's account"))
    # As sent by an Open311 client; kept as a link, never fetched by the server.
    media_url = models.URLField(_("media link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return f"{self.event_id} ({self.source})"
