"""Users with one role and one or more jurisdictions; API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.foundation.permissions import Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def scope_prefixes(self) -> list[str]:
        """Code prefixes this user may see; a superuser sees everything."""
        if self.is_superuser:
            return [""]
        if not hasattr(self, "_scope_prefixes"):
            self._scope_prefixes = [j.prefix for j in self.jurisdictions.all()]
        return self._scope_prefixes


class Jurisdiction(models.Model):
    """A division or grid a user answers for; its code's significant prefix scopes queries."""

    user = models.ForeignKey(User, models.CASCADE, related_name="jurisdictions")
    code = models.CharField(_("division or grid code"), max_length=15)
    prefix = models.CharField(max_length=15, editable=False, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="unique_jurisdiction")]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return self.code


class HashedSecret(models.Model):
    """A credential shown once: only its SHA-256 is stored. ``PREFIX`` tells its kind."""

    PREFIX = ""
    digest = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        abstract = True

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class ApiToken(HashedSecret):
    """A bearer token of a user."""

    PREFIX = "wg_"

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name or f"token {self.pk}"


class PasswordHistory(models.Model):
    """A password a user had (its hash), so that the last few are not chosen again."""

    user = models.ForeignKey(User, models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created"], name="password_history_recent")]
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d}"
