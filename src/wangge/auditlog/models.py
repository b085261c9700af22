"""The access and security log: one hash chain of entries, appended to and never changed.

Each entry's ``hash`` is SHA-256 over its canonical serialization and the previous entry's
hash (see chain.py); ``ChainHead`` is the one row every append locks, so two writers never
fork the chain.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class Kind(models.TextChoices):
    # Reads of personal data
    REVEAL = "reveal", _("Full ID revealed")
    VIEW = "view", _("Record viewed unmasked")
    LIST = "list", _("List viewed unmasked")
    SEARCH = "search", _("Search by ID or phone")
    EXPORT = "export", _("Export of personal data")
    # Security events
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    ACCOUNT_CHANGE = "account_change", _("Account changed")
    PRUNE = "prune", _("Entries past retention removed")


READS = (Kind.REVEAL, Kind.VIEW, Kind.LIST, Kind.SEARCH, Kind.EXPORT)


class Purpose(models.TextChoices):
    """Why personal data is read (PIPL: purpose limitation); "other" needs words of its own."""

    SERVICE = "service", _("Serving the person (a visit, a request, a benefit)")
    IDENTITY = "identity", _("Confirming the person's identity")
    HEALTH = "health", _("Health monitoring and epidemic prevention")
    ASSISTANCE = "assistance", _("Care for a vulnerable person")
    CORRECTION = "correction", _("Correcting or completing the record")
    DEPARTMENT = "department", _("A department's report or request")
    OTHER = "other", _("Other (say what)")


class ChainHead(models.Model):
    """The last entry's sequence and hash, locked by every append. After old entries are
    pruned the chain starts after ``base_sequence``, whose hash was ``base_hash``."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    base_sequence = models.PositiveBigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"head {self.sequence}"


class Entry(models.Model):
    sequence = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("when"), db_index=True)
    # No foreign key constraint: a user deleted later must not change (or block) their
    # entries; the name is kept as it was.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True,
                             db_constraint=False, related_name="+", verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    fields = models.CharField(_("fields"), max_length=200, blank=True,
                              help_text=_("Sensitive fields read unmasked, comma-separated"))
    target = models.CharField(_("what"), max_length=200, blank=True)
    record_ids = models.JSONField(_("record ids"), default=list, blank=True)
    count = models.PositiveIntegerField(_("records"), default=0)
    # A keyed digest of the number searched for: the log never holds it in clear.
    term_digest = models.CharField(_("search digest"), max_length=64, blank=True,
                                   db_index=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    client_address = models.CharField(_("from"), max_length=45, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["user", "at"], name="auditlog_user_at")]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Appended once by chain.append, never changed through the ORM (verify would tell).
        if not self._state.adding:
            raise TypeError("A log entry is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("A log entry is never deleted one by one (see `wangge audit prune`).")
