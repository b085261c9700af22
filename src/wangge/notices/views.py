"""Pages of notices: staff compose (with the count of recipients before publishing), list,
follow a notice's receipts per grid, mark residents told in person and withdraw; a resident
reads their notices on a phone and confirms the urgent ones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.divisions.selectors import area_names
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action
from wangge.foundation.requests import SignedInRequest
from wangge.residents.selectors import resident_person

from .forms import NoticeForm, ToldForm, WithdrawForm
from .models import Notice
from .selectors import (
    notices_of,
    notices_visible_to,
    receipt_totals,
    receipts_by_grid,
    receipts_visible_to,
    unread_of,
)
from .services import (
    notice_acknowledge,
    notice_create,
    notice_preview,
    notice_read,
    notice_withdraw,
    recipient_told,
)

PUBLISH = Action.PUBLISH_NOTICES


@action_required(PUBLISH)
def notice_list(request: SignedInRequest) -> HttpResponse:
    notices = notices_visible_to(request.user).order_by("-publish_at", "-pk")
    return render(request, "notices/list.html", {"notices": page_of(request, notices)})


@require_http_methods(["GET", "POST"])
@action_required(PUBLISH)
def compose(request: SignedInRequest) -> HttpResponse:
    """Write a notice; "Count the recipients" shows how many it would reach, "Publish"
    publishes it (or schedules it)."""
    form = NoticeForm(request.POST or None, user=request.user)
    count = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                count = notice_preview(by=request.user, **form.service_fields())
            else:
                notice = notice_create(by=request.user, **form.service_fields())
                messages.success(request, _("The notice reached %(count)s persons.")
                                 % {"count": notice.recipient_count}
                                 if notice.published_at else _("The notice is scheduled."))
                return redirect("notices:detail", pk=notice.pk)
        except ValidationError as error:
            service_errors_shown(form, error)
    return render(request, "notices/compose.html", {"form": form, "count": count},
                  status=400 if form.errors else 200)


@action_required(PUBLISH)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A notice with its receipts per grid of the caller's jurisdiction."""
    notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
    rows = receipts_by_grid(request.user, notice)
    return render(request, "notices/detail.html", {
        "notice": notice, "grids": rows, "totals": receipt_totals(rows),
        "area": area_names([notice.code]).get(notice.code, notice.code),
        "withdraw_form": WithdrawForm()})


@action_required(PUBLISH)
def unread(request: SignedInRequest, pk: int) -> HttpResponse:
    """Who in the caller's grids has neither read the notice nor been told, to tell them in
    person."""
    notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
    return render(request, "notices/unread.html", {
        "notice": notice, "recipients": page_of(request, unread_of(request.user, notice)),
        "form": ToldForm()})


@require_POST
@action_required(PUBLISH)
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the notice is withdrawn."))
        notice_withdraw(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The notice is withdrawn; its recipients see it so."))
    return redirect("notices:detail", pk=notice.pk)


@require_POST
@action_required(PUBLISH)
def told(request: SignedInRequest, pk: int) -> HttpResponse:
    """Mark one recipient of the caller's grids told in person, with a note."""
    recipient = get_object_or_404(receipts_visible_to(request.user).select_related("notice"),
                                  pk=pk)
    form = ToldForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        recipient_told(recipient=recipient, by=request.user, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("notices:unread", pk=recipient.notice_id)


@action_required(Action.VIEW_OWN_RECORD)
def mine(request: SignedInRequest) -> HttpResponse:
    """A resident's notices, the newest first; the unread and unconfirmed stand out."""
    person = resident_person(request.user)
    return render(request, "notices/mine.html", {
        "linked": person is not None, "receipts": page_of(request, notices_of(person))})


def _own_notice(request: SignedInRequest, pk: int) -> Notice:
    receipt = notices_of(resident_person(request.user)).filter(notice__pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt.notice


@action_required(Action.VIEW_OWN_RECORD)
def mine_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One notice: opening it is reading it (the receipt is kept)."""
    notice = _own_notice(request, pk)
    receipt = notice_read(notice=notice, by=request.user)
    return render(request, "notices/mine_detail.html", {"notice": notice, "receipt": receipt})


@require_POST
@action_required(Action.VIEW_OWN_RECORD)
def acknowledge(request: SignedInRequest, pk: int) -> HttpResponse:
    notice = _own_notice(request, pk)
    try:
        notice_acknowledge(notice=notice, by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Thank you: your confirmation is kept."))
    return redirect("notices:mine_detail", pk=notice.pk)
