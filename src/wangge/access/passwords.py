"""Password policy beyond Django's validators: the last few passwords are not reused."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PasswordHistory, User


class PasswordHistoryValidator:
    """Refuse any of the user's last ``WANGGE_PASSWORD_HISTORY`` passwords.

    Django calls ``password_changed`` whenever a user is saved with a new password (every path:
    the change page, the admin, ``user_create``, ``changepassword``), so the history is kept
    where the password is set, not remembered by each caller."""

    def _recent(self, user: User) -> list[str]:
        count = settings.WANGGE_PASSWORD_HISTORY
        return list(PasswordHistory.objects.filter(user=user).order_by("-created", "-pk")
                    .values_list("password", flat=True)[:count])

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        if user.password and user.password not in hashes:
            hashes.append(user.password)  # set before the history began
        if any(check_password(password, encoded) for encoded in hashes):
            count = settings.WANGGE_PASSWORD_HISTORY
            raise ValidationError(
                ngettext("This password was used recently; choose one not among your last "
                         "%(count)d.", "This password was used recently; choose one not among "
                         "your last %(count)d.", count) % {"count": count},
                code="password_reused",
            )

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).order_by("-created", "-pk")
        old = keep.values_list("pk", flat=True)[settings.WANGGE_PASSWORD_HISTORY:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return _("Your password cannot be one of your last %(count)d passwords.") % {
            "count": settings.WANGGE_PASSWORD_HISTORY}
