"""Accounts: users with roles and jurisdictions, and API tokens."""

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.divisions.codes import level_of, scope_prefix
from wangge.divisions.models import Division, Grid

from .models import ApiToken, Jurisdiction, User
from .permissions import Action, Role, can


def _check_jurisdiction_exists(code: str) -> None:
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
        _check_jurisdiction_exists(code)
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, role=role, first_name=display_name)
    user.is_staff = can(user, Action.USE_ADMIN)
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
