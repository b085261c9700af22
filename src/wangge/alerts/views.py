"""Pages of public alerts (``/alerts/``): the list, publishing (a real warning, or an exercise
or test for named participants), an alert's page with what it replaces and its CAP document,
an update and a cancellation (each a new message), and the community's scheduled
preparedness messages. Every page marks an exercise [演练] and a test [测试]."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wangge.access.decorators import action_required
from wangge.divisions.maps import tile_layer
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .cap import chain
from .forms import INFO, AlertForm, AlertInfoForm, CancelForm, PreparednessForm
from .models import Alert, PreparednessMessage
from .selectors import alerts_visible_to, is_current, preparedness_messages_visible_to
from .services import alert_cancel, alert_publish, alert_update, preparedness_message_save

PUBLISH = Action.PUBLISH_ALERTS


@login_required
def alert_list(request: SignedInRequest) -> HttpResponse:
    current = request.GET.get("current") == "1"
    alerts = alerts_visible_to(request.user)
    if current:
        alerts = alerts.current(timezone.now())
    return render(request, "alerts/list.html", {
        "alerts": page_of(request, alerts), "current": current,
        "may_publish": can(request.user, PUBLISH)})


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def alert_new(request: SignedInRequest) -> HttpResponse:
    form = AlertForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alert = alert_publish(
                grids=data["grids"], status=data["status"], participants=data["participants"],
                by=request.user, reason=data["reason"], **{name: data[name] for name in INFO})
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("alerts:detail", alert.pk)
    return render(request, "alerts/form.html", {"form": form})


def _visible(request: SignedInRequest, pk: int) -> Alert:
    return get_object_or_404(alerts_visible_to(request.user), pk=pk)


@login_required
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    alert = _visible(request, pk)
    grids = list(alert.grids.all())
    area = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": grid.boundary, "properties": {"name": grid.name}}
        for grid in grids]}
    return render(request, "alerts/detail.html", {
        "alert": alert, "earlier": chain(alert), "grids": grids,
        "area": json.dumps({"area": area, "tiles": tile_layer()}),
        "current": is_current(alert, timezone.now()),
        "replaced_by": getattr(alert, "replaced_by", None),
        "may_publish": can(request.user, PUBLISH)})


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def update(request: SignedInRequest, pk: int) -> HttpResponse:
    alert = _visible(request, pk)
    form = AlertInfoForm(request.POST or None, instance=alert, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = alert_update(alert=alert, grids=data["grids"], by=request.user,
                               reason=data["reason"], **{name: data[name] for name in INFO})
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("alerts:detail", new.pk)
    return render(request, "alerts/form.html", {"form": form, "alert": alert})


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    alert = _visible(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = alert_cancel(alert=alert, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("alerts:detail", new.pk)
    return render(request, "alerts/cancel.html", {"form": form, "alert": alert})


@action_required(PUBLISH)
def preparedness_list(request: SignedInRequest) -> HttpResponse:
    return render(request, "alerts/preparedness.html", {
        "messages_": page_of(request, preparedness_messages_visible_to(request.user))})


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def preparedness_new(request: SignedInRequest) -> HttpResponse:
    form = PreparednessForm(request.POST or None,
                            initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            preparedness_message_save(message=PreparednessMessage(**data), by=request.user,
                                      reason=reason)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("alerts:preparedness")
    return render(request, "alerts/preparedness_form.html", {"form": form})
