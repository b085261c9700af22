"""Accounts: users with roles and jurisdictions, and API tokens."""

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.divisions.models import Division, Grid
from wangge.foundation.codes import level_of, scope_prefix
from wangge.foundation.permissions import Action, Role, require, uses_back_office

from .models import ApiToken, Jurisdiction, User
from .selectors import users_visible_to


def jurisdiction_check(code: str) -> None:
    """Refuse a code that is not a division's or grid's."""
    level_of(code)
    exists = (Grid if len(code) == 15 else Division).objects.filter(code=code).exists()
    if not exists:
        raise ValidationError({"jurisdictions": _("No division or grid has the code %(code)s.")
                               % {"code": code}})


@transaction.atomic
def user_create(
    *, username: str, role: str, jurisdictions: Iterable[str], password: str | None = None,
    display_name: str = "",
) -> tuple[User, str]:
    """Create a user bound to jurisdictions; returns the user and the password to hand over
    (a random one unless given: there are no default passwords)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    codes = list(dict.fromkeys(jurisdictions))
    if not codes:
        raise ValidationError({"jurisdictions": _("A user needs at least one jurisdiction.")})
    for code in codes:
        jurisdiction_check(code)
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, role=role, first_name=display_name)
    user.is_staff = uses_back_office(user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Jurisdiction.objects.bulk_create(
        Jurisdiction(user=user, code=code, prefix=scope_prefix(code)) for code in codes
    )
    return user, password


def token_create(*, user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it; it cannot be shown again."""
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.digest_of(secret))
    return secret


def token_user(secret: str, *, record_use: bool) -> User | None:
    """The active user a bearer token belongs to, or None. ``record_use`` stores the time of
    use: only for requests that may write anyway, so that a read never writes (on SQLite a
    long import holds the only write lock, and a GET must still answer). A token's last use
    is therefore its last unsafe request."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if record_use:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user


def two_factor_device(*, user: User) -> TOTPDevice:
    """The user's TOTP device: the confirmed one, or one waiting to be enrolled (created once,
    so that reloading the enrolment page keeps showing the same secret)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def two_factor_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Check a code; the first right one completes the enrolment. django-otp refuses a code
    already used and slows down repeated failures."""
    if not device.verify_is_allowed()[0] or not device.verify_token(code):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def _managed(user: User, by: User) -> None:
    require(by, Action.MANAGE_ACCOUNTS)
    if not users_visible_to(by).filter(pk=user.pk).exists():
        raise ValidationError(_("This account is outside your jurisdiction."))


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> int:
    """Remove the user's TOTP devices (lost phone): they enrol again at their next sign-in.
    Returns how many were removed."""
    _managed(user, by)
    deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def sign_in_unlock(*, user: User, by: User) -> int:
    """Lift the lockout of an account (its failed sign-ins are forgotten; the failure log
    keeps them). Returns how many lockout records were cleared."""
    from axes.utils import reset  # needs the app registry ready

    _managed(user, by)
    return reset(username=user.username)
