"""The account pages (/accounts/): district and street administrators manage the working
accounts of their jurisdiction, the security administrator every account of its own; each
change through the accounts services (scope, the roles one may give, the separation of the
three administrators, the reason in the history). Nobody is shown a password: a new account
and a reset get a one-time set-password link, shown once, for the administrator to hand to
the account's owner."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.divisions.selectors import area_names
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import manages_accounts
from wangge.foundation.requests import SignedInRequest

from .forms import AccountChangeForm, AccountCreateForm, AccountFilterForm, AccountReasonForm
from .links import password_link_url
from .models import User
from .selectors import account_history, users_visible_to
from .services import password_link_token, user_create, user_password_reset, user_update


def _manager(request: SignedInRequest) -> User:
    """The signed-in administrator; 403 for a role that manages no accounts."""
    if not manages_accounts(request.user):
        raise PermissionDenied
    return request.user


def _account(request: SignedInRequest, pk: int) -> User:
    """An account the user manages; 404 for any other, as for one that does not exist."""
    return get_object_or_404(users_visible_to(_manager(request)), pk=pk)


@dataclass
class AccountRow:
    """An account as the pages list it: with the names of the areas it answers for."""

    account: User
    areas: list[str]


def _with_area_names(accounts: list[User]) -> list[AccountRow]:
    """The accounts (jurisdictions prefetched) with their areas' names, one query for all."""
    names = area_names(grant.code for account in accounts
                       for grant in account.jurisdictions.all())
    return [AccountRow(account, [names.get(grant.code, grant.code)
                                 for grant in account.jurisdictions.all()])
            for account in accounts]


@login_required
def account_list(request: SignedInRequest) -> HttpResponse:
    """The accounts the user manages, found by name or username, role and status; htmx asks
    for the results alone as one types."""
    user = _manager(request)
    form = AccountFilterForm(request.GET, by=user)
    accounts: QuerySet[User] = users_visible_to(user).prefetch_related("jurisdictions")
    if form.is_valid():
        text, role, active = (form.cleaned_data[name] for name in ("q", "role", "active"))
        if text := text.strip():
            accounts = accounts.filter(Q(username__icontains=text)
                                       | Q(first_name__icontains=text)
                                       | Q(last_name__icontains=text))
        if role:
            accounts = accounts.filter(role=role)
        if active:
            accounts = accounts.filter(is_active=active == "yes")
    page = page_of(request, accounts)
    page.object_list = _with_area_names(list(page.object_list))
    template = "access/accounts/list.html#results" if request.htmx else "access/accounts/list.html"
    response = render(request, template, {"form": form, "accounts": page,
                                          "query": request.GET.urlencode()})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def account_new(request: SignedInRequest) -> HttpResponse:
    user = _manager(request)
    form = AccountCreateForm(request.POST or None, by=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, _password = user_create(
                by=user, username=data["username"], role=data["role"],
                jurisdictions=data["jurisdictions"], display_name=data["first_name"],
                reason=data["reason"], password_by_link=True)
        except ValidationError as error:
            service_errors_shown(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
        else:
            return _link_page(request, account, created=True)
    return render(request, "access/accounts/new.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
def account_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """An account: what it is, its history; changing its name, role and jurisdictions."""
    user = _manager(request)
    account = _account(request, pk)
    form = _change_form(request, account, request.POST or None)
    initial, current = form.initial, form.initial["jurisdictions"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in ("first_name", "email", "role")
                   if data[name] != initial[name]}
        if set(data["jurisdictions"]) != set(current):
            changes["jurisdictions"] = data["jurisdictions"]
        if not changes:
            form.add_error(None, _("Nothing was changed."))
        else:
            try:
                user_update(user=account, by=user, reason=data["reason"], **changes)
            except ValidationError as error:
                service_errors_shown(form, error)
                account.refresh_from_db()
            except PermissionDenied as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, _("Saved. The change is in the history below."))
                return redirect("accounts:detail", pk=account.pk)
    return _detail_page(request, account, form=form, status=400 if form.errors else 200)


def _detail_page(request: SignedInRequest, account: User, *, form: AccountChangeForm,
                 status: int = 200, refused: AccountReasonForm | None = None,
                 failed: str = "") -> HttpResponse:
    """The account's page; ``refused`` is the reset's or the deactivation's form sent back
    with its errors (``failed`` says which). Each form's fields have ids of their own."""
    forms = {name: refused if refused is not None and failed == name
             else AccountReasonForm(auto_id=f"{name}-%s") for name in ("password", "active")}
    return render(request, "access/accounts/detail.html", {
        "account": account,
        "areas": _with_area_names([account])[0].areas,
        "form": form,
        "password_form": forms["password"],
        "active_form": forms["active"],
        "two_factor": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
        "history": account_history(account),
    }, status=status)


def _change_form(request: SignedInRequest, account: User,
                 data: Any = None) -> AccountChangeForm:
    current = list(account.jurisdictions.order_by("code").values_list("code", flat=True))
    return AccountChangeForm(data, by=request.user, current=current, initial={
        "first_name": account.first_name, "email": account.email, "role": account.role,
        "jurisdictions": current})


@login_required
@require_POST
def account_password(request: SignedInRequest, pk: int) -> HttpResponse:
    """Reset the password: the current one stops working, and a one-time link for the owner
    to choose a new one is shown once."""
    account = _account(request, pk)
    form = AccountReasonForm(request.POST, auto_id="password-%s")
    if form.is_valid():
        try:
            token = user_password_reset(user=account, by=request.user,
                                        reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            return _link_page(request, account, token=token)
    return _detail_page(request, account, form=_change_form(request, account), status=400,
                        refused=form, failed="password")


@login_required
@require_POST
def account_active(request: SignedInRequest, pk: int) -> HttpResponse:
    """Deactivate (or reactivate) an account, with why: it signs in no more, its tokens stop
    working, its history stays."""
    account = _account(request, pk)
    form = AccountReasonForm(request.POST, auto_id="active-%s")
    active = request.POST.get("active") == "1"
    if form.is_valid():
        try:
            user_update(user=account, by=request.user, reason=form.cleaned_data["reason"],
                        is_active=active)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("The account is active again.") if active
                             else _("The account is deactivated: it can no longer sign in."))
            return redirect("accounts:detail", pk=account.pk)
    return _detail_page(request, account, form=_change_form(request, account), status=400,
                        refused=form, failed="active")


def _link_page(request: SignedInRequest, account: User, *, token: str | None = None,
               created: bool = False) -> HttpResponse:
    """The one-time set-password link, shown in this answer only (never stored, never
    redirected to): the administrator hands it to the account's owner."""
    if token is None:
        token = password_link_token(account)
    link = password_link_url(request, account, token)
    context: dict[str, Any] = {
        "account": account, "link": link, "created": created,
        "qr": segno.make(link, error="m").svg_inline(scale=3),
        "valid_until": timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    }
    return render(request, "access/accounts/link.html", context, status=201 if created else 200)
