"""API for accounts, as the account pages manage them: a district or street administrator's
working accounts, the security administrator's every account of its jurisdiction. Writes go
through the accounts services (roles one may give, areas of one's own, a reason kept in the
history); no password is ever set or answered here: a new account and a reset answer a
one-time set-password link for the account's owner."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.divisions.selectors import area_names
from wangge.foundation.api_support import Pages, Reason, RecordId, caller, changes
from wangge.foundation.permissions import Role, manages_accounts

from .links import password_link_url
from .models import User
from .selectors import users_visible_to
from .services import password_link_token, user_create, user_password_reset, user_update

router = Router(tags=["accounts"])


class JurisdictionOut(Schema):
    code: str
    name: str


class AccountOut(Schema):
    id: int
    username: str
    name: str = Field(description="The name people see (the account's display name)")
    role: str
    is_active: bool
    jurisdictions: list[JurisdictionOut] = Field(description="The areas it answers for, with names")
    last_login: datetime.datetime | None

    @staticmethod
    def resolve_name(account: User) -> str:
        return account.first_name

    @staticmethod
    def resolve_jurisdictions(account: User) -> list[dict[str, str]]:
        codes = [grant.code for grant in account.jurisdictions.all()]
        names = area_names(codes)
        return [{"code": code, "name": names.get(code, code)} for code in codes]


class AccountIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    name: str = Field("", max_length=150)
    role: Role
    jurisdictions: list[str] = Field(description="Division or grid codes within yours")
    reason: str = Field(min_length=1, max_length=200, description="Kept in the history")


class AccountPatch(Reason):
    name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    role: Role | None = None
    jurisdictions: list[str] | None = Field(None, description="Replaces its areas")
    is_active: bool | None = Field(None, description="false deactivates: no sign-in, no token")


class PasswordLinkOut(Schema):
    account: AccountOut
    password_link: str = Field(description="One-time link for the account's owner to choose "
                                           "a password; hand it over out of band")
    valid_until: datetime.datetime


class AccountFilter(Schema):
    q: str = Field("", max_length=150, description="Part of a username or name")
    role: Role | None = None
    active: bool | None = None


def _manager(request: HttpRequest) -> User:
    user = caller(request)
    if not manages_accounts(user):
        raise PermissionDenied
    return user


def _managed(request: HttpRequest) -> QuerySet[User]:
    return users_visible_to(_manager(request)).prefetch_related("jurisdictions")


def _one(request: HttpRequest, id: int) -> User:
    return get_object_or_404(_managed(request), pk=id)


def _link(request: HttpRequest, account: User, token: str) -> dict[str, Any]:
    return {"account": account, "password_link": password_link_url(request, account, token),
            "valid_until": timezone.now()
            + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)}


@router.get("/accounts", response=list[AccountOut])
@paginate(Pages)
def account_list(request: HttpRequest, filters: Query[AccountFilter]) -> QuerySet[User]:
    """The accounts the caller manages."""
    accounts = _managed(request)
    if text := filters.q.strip():
        accounts = accounts.filter(Q(username__icontains=text) | Q(first_name__icontains=text)
                                   | Q(last_name__icontains=text))
    if filters.role is not None:
        accounts = accounts.filter(role=filters.role)
    if filters.active is not None:
        accounts = accounts.filter(is_active=filters.active)
    return accounts


@router.get("/accounts/{id}", response=AccountOut)
def account_get(request: HttpRequest, id: RecordId) -> User:
    return _one(request, id)


@router.post("/accounts", response={201: PasswordLinkOut})
def account_post(request: HttpRequest, payload: AccountIn) -> dict[str, Any]:
    """Create an account with no password that works; its owner chooses one through the
    answered link."""
    account, _password = user_create(
        by=_manager(request), username=payload.username, role=payload.role,
        jurisdictions=payload.jurisdictions, display_name=payload.name,
        reason=payload.reason, password_by_link=True)
    return _link(request, account, password_link_token(account))


@router.patch("/accounts/{id}", response=AccountOut)
def account_patch(request: HttpRequest, id: RecordId, payload: AccountPatch) -> User:
    """Change an account's name, email, role, areas or active flag, with a reason."""
    account = _one(request, id)
    sent = changes(payload, User)  # null clears a name or email; "name" is no column
    if "name" in sent:
        sent["first_name"] = sent.pop("name")
    user_update(user=account, by=caller(request), reason=payload.reason, **sent)
    return _one(request, id)


@router.post("/accounts/{id}/password-link", response=PasswordLinkOut)
def account_password_link(request: HttpRequest, id: RecordId, payload: Reason
                          ) -> dict[str, Any]:
    """Reset the password: the current one stops working at once; the answered one-time
    link lets the owner choose a new one."""
    account = _one(request, id)
    token = user_password_reset(user=account, by=caller(request), reason=payload.reason)
    return _link(request, account, token)
