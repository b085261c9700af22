"""Accounts: users with roles and jurisdictions, and API tokens."""

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.divisions.models import Division, Grid
from wangge.foundation.actors import Actor, actor_checked
from wangge.foundation.codes import level_of, scope_prefix
from wangge.foundation.history import delete_with_history, save_with_history, stated_reason
from wangge.foundation.permissions import (
    Action,
    Role,
    can,
    grantable_roles,
    manages_accounts,
    require,
    require_in_scope,
    uses_back_office,
)

from .models import ApiToken, Jurisdiction, User
from .selectors import users_visible_to


def jurisdiction_check(code: str) -> None:
    """Refuse a code that is not a division's or grid's."""
    level_of(code)
    exists = (Grid if len(code) == 15 else Division).objects.filter(code=code).exists()
    if not exists:
        raise ValidationError({"jurisdictions": _("No division or grid has the code %(code)s.")
                               % {"code": code}})


# What ``user_update`` may change; never ``is_superuser``, ``is_staff`` (follows the role) nor
# the password (``user_password_set``, which checks the policy).
ACCOUNT_CHANGES = frozenset({"role", "jurisdictions", "is_active", "first_name", "last_name",
                             "email"})


def _role_checked(role: str, by: Actor) -> str:
    """A known role that ``by`` may give: a district or street administrator gives only the
    working roles below its own (``permissions.ACCOUNT_GRANTS``)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if role not in grantable_roles(by):
        raise ValidationError({"role": _("You may not give the role %(role)s.")
                               % {"role": Role(role).label}})
    return role


def _may_manage(by: Actor) -> None:
    """Refuse an actor who manages no accounts at all (a missing one is a TypeError)."""
    if not manages_accounts(actor_checked(by)):
        raise PermissionDenied(_("Your role may not do this."))


def _codes_checked(codes: Iterable[str], by: Actor) -> list[str]:
    """Codes as given (once each, in order), each a division's or grid's and within the
    actor's jurisdiction: no one hands out an area they do not answer for."""
    codes = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    for code in codes:
        jurisdiction_check(code)
        require_in_scope(by, code, "jurisdictions")
    return codes


def _password_checked(password: str, user: User) -> None:
    """The password policy (AUTH_PASSWORD_VALIDATORS: length, common passwords, the last few
    passwords), as an error on ``password``."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


@transaction.atomic
def user_create(
    *, by: Actor, username: str, role: str, jurisdictions: Iterable[str],
    password: str | None = None, display_name: str = "", reason: str = "",
    password_by_link: bool = False,
) -> tuple[User, str]:
    """Create a user bound to jurisdictions within ``by``'s own; returns the user and the
    password to hand over (a random one unless given: there are no default passwords; a given
    one must pass the policy). With ``password_by_link`` the account gets no password that
    works, the second value is "", and its owner chooses one through a set-password link
    (``password_link_token``): a district or street administrator creates accounts only so,
    knowing no password of theirs."""
    _may_manage(by)
    user = User(username=username, role=_role_checked(role, by), first_name=display_name)
    codes = _codes_checked(jurisdictions, by)
    if not codes:
        raise ValidationError({"jurisdictions": _("A user needs at least one jurisdiction.")})
    by_link = password_by_link or not can(by, Action.MANAGE_ACCOUNTS)
    if password and by_link:
        raise ValidationError({"password": _("The owner of the account chooses its password "
                                             "through a set-password link.")})
    if password:
        _password_checked(password, user)
    password = "" if by_link else password or secrets.token_urlsafe(12)
    user.is_staff = uses_back_office(user)
    if by_link:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    save_with_history(user, by=by, reason=reason)
    for code in codes:
        save_with_history(Jurisdiction(user=user, code=code, prefix=scope_prefix(code)),
                          by=by, reason=reason)
    return user, password


def _managed(user: User, by: Actor, *, staff: bool = False) -> None:
    """Refuse unless ``by`` manages accounts and ``user`` is one of theirs; nobody manages
    their own account (a security administrator would hand itself any role or jurisdiction,
    or lift its own second factor). ``staff``: a district or street administrator may do this
    too, to the accounts it manages (else only the security administrator)."""
    if staff:
        _may_manage(by)
    else:
        require(by, Action.MANAGE_ACCOUNTS)
    if by.pk is not None and by.pk == user.pk:
        raise PermissionDenied(_("Your own account is managed by another administrator."))
    if not users_visible_to(by).filter(pk=user.pk).exists():
        raise ValidationError(_("This account is outside your jurisdiction."))


@transaction.atomic
def user_update(*, user: User, by: Actor, reason: str, **changes: Any) -> User:
    """Change an account's role, jurisdictions, active flag, names or email, with the reason
    in its history. Only an account wholly within ``by``'s jurisdiction: one that also answers
    elsewhere is changed by an administrator of both."""
    unknown = set(changes) - ACCOUNT_CHANGES
    if unknown:
        raise TypeError(f"user_update cannot change {', '.join(sorted(unknown))}")
    reason = stated_reason(reason)
    _managed(user, by, staff=True)
    current = list(user.jurisdictions.values_list("code", flat=True))
    _codes_checked(current, by)
    codes = changes.pop("jurisdictions", None)
    if "role" in changes:
        _role_checked(str(changes["role"]), by)
    for name, value in changes.items():
        setattr(user, name, value)
    user.is_staff = uses_back_office(user)
    user.full_clean(exclude=["password"])
    save_with_history(user, by=by, reason=reason)
    if codes is not None:
        _jurisdictions_set(user, _codes_checked(codes, by), current, by=by, reason=reason)
    return user


def _jurisdictions_set(user: User, codes: list[str], current: list[str], *, by: Actor,
                       reason: str) -> None:
    if not codes and not user.is_superuser:
        raise ValidationError({"jurisdictions": _("A user needs at least one jurisdiction.")})
    for jurisdiction in user.jurisdictions.exclude(code__in=codes):
        delete_with_history(jurisdiction, by=by, reason=reason)
    for code in codes:
        if code not in current:
            save_with_history(Jurisdiction(user=user, code=code, prefix=scope_prefix(code)),
                              by=by, reason=reason)


@transaction.atomic
def user_password_set(*, user: User, by: Actor, password: str) -> User:
    """Set another account's password, checked by the policy; the previous one joins its
    PasswordHistory (``passwords.PasswordHistoryValidator``)."""
    _managed(user, by)
    _password_checked(password, user)
    user.set_password(password)
    return save_with_history(user, by=by, reason=_("Password set"))


def password_link_token(user: User) -> str:
    """The token of a one-time set-password link for ``user`` (Django's password-reset
    token): it is tied to the account's password hash and last sign-in, so it stops working
    once a password is chosen with it, when another reset starts (a fresh unusable hash), and
    after ``PASSWORD_RESET_TIMEOUT`` (``WANGGE_PASSWORD_LINK_HOURS``). Only its owner should
    open it; whoever hands it over never learns the password chosen."""
    return default_token_generator.make_token(user)


@transaction.atomic
def user_password_reset(*, user: User, by: Actor, reason: str) -> str:
    """Reset an account's password without anyone but its owner knowing the new one: the
    current password stops working at once, a lockout is lifted, and the returned token makes
    the one-time link (``password_link_token``) by which the owner chooses a password that
    passes the policy. Kept in the history with ``by`` and ``reason``."""
    from axes.utils import reset  # needs the app registry ready

    reason = stated_reason(reason)
    _managed(user, by, staff=True)
    user.set_unusable_password()
    save_with_history(user, by=by, reason=_("Password reset: %(reason)s") % {"reason": reason})
    reset(username=user.username)
    return password_link_token(user)


@transaction.atomic
def user_password_choose(*, user: User, token: str, password: str) -> User:
    """The owner of an account chooses its password through a set-password link: the token
    must still be valid, the password pass the policy. The history names the owner."""
    if not user.is_active or not default_token_generator.check_token(user, token):
        raise ValidationError(_("This link has expired or was already used. Ask your "
                                "administrator for a new one."))
    _password_checked(password, user)
    user.set_password(password)
    return save_with_history(user, by=user, reason=_("Password chosen through a link"))


def token_create(*, user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it; it cannot be shown again."""
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.digest_of(secret))
    return secret


def token_rename(*, token: ApiToken, by: Actor, name: str) -> ApiToken:
    """Rename a token of an account ``by`` manages (its user and secret never change)."""
    _managed(token.user, by)
    token.name = name.strip()[:100]
    token.save(update_fields=["name"])
    return token


def token_revoke(*, token: ApiToken, by: Actor) -> None:
    """Revoke a token of an account ``by`` manages: it signs nobody in any more."""
    _managed(token.user, by)
    token.delete()


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


@transaction.atomic
def two_factor_reset(*, user: User, by: Actor) -> int:
    """Remove the user's TOTP devices (lost phone): they enrol again at their next sign-in.
    Returns how many were removed."""
    _managed(user, by)
    deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def sign_in_unlock(*, user: User, by: Actor) -> int:
    """Lift the lockout of an account (its failed sign-ins are forgotten; the failure log
    keeps them). Returns how many lockout records were cleared."""
    from axes.utils import reset  # needs the app registry ready

    _managed(user, by)
    return reset(username=user.username)
