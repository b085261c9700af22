"""Pages of the emergency resource database under /resources/: counts per kind and the
materials needing attention, a kind's list (search as one types, materials by condition),
a record with its history (who and why) and a depot's materials, and the forms that create
and change records through the services."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.divisions.selectors import area_names
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .allocation import KEPT_FOR_HIGHER_PRIORITY, NO_STOCK
from .forms import (
    AllocationRunForm,
    ReasonForm,
    ResourceForm,
    ShipmentForm,
    SupplyRequestForm,
    form_class,
)
from .kinds import KINDS, Kind, field_shown, kind_named
from .models import AllocationRun, Condition, Depot, Material, RequestStatus, RunStatus
from .selectors import (
    allocation_runs_visible_to,
    dispatch_orders_visible_to,
    in_condition,
    materials_visible_to,
    needing_attention,
    supply_requests_visible_to,
)
from .services import (
    CHANGED_BY_HAND,
    AnyResource,
    allocation_confirm,
    allocation_run,
    dispatch_deliver,
    dispatch_send,
    resource_create,
    resource_update,
    shipment_change,
    supply_request_cancel,
    supply_request_create,
)

VIEW, EDIT = Action.VIEW_RESOURCES, Action.EDIT_RESOURCES
ATTENTION_SHOWN = 10
HISTORY_SHOWN = 50  # the latest changes; the back office keeps them all


def _conditions(material: Material) -> list[str]:
    """The labels of the conditions ``needing_attention`` found the material in."""
    return [str(label) for value, label in Condition.choices
            if getattr(material, f"in_{value}")]


@action_required(VIEW)
def home(request: SignedInRequest) -> HttpResponse:
    user = request.user
    attention = list(needing_attention(user)[:ATTENTION_SHOWN])
    return render(request, "resources/home.html", {
        "counts": [(kind, kind.selector(user).count()) for kind in KINDS.values()],
        "attention": [(material, _conditions(material)) for material in attention],
        "conditions": Condition.choices})


@action_required(VIEW)
def record_list(request: SignedInRequest, kind: str) -> HttpResponse:
    """A kind's records in the jurisdiction, found by name as one types (htmx asks for the
    results alone); materials also by condition."""
    of = kind_named(kind)
    records = of.selector(request.user)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        records = records.filter(**{f"{of.search}__icontains": text})
    condition = request.GET.get("condition", "")
    condition = condition if of.model is Material and condition in Condition.values else ""
    if condition:
        records = records.filter(in_condition(condition))
    page = page_of(request, records)
    names = area_names(record.grid_code for record in page)
    rows = [(record, names.get(record.grid_code, record.grid_code),
             [field_shown(request.user, record, name) for name in of.columns])
            for record in page]
    query = request.GET.copy()
    query.pop("page", None)
    template = "resources/list.html#results" if request.htmx else "resources/list.html"
    response = render(request, template, {
        "kind": of, "page": page, "rows": rows, "q": text, "condition": condition,
        "conditions": Condition.choices if of.model is Material else [],
        "headers": [of.label(name) for name in of.columns],
        "query": query.urlencode(), "may_edit": can(request.user, EDIT)})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _record(request: SignedInRequest, of: Kind, pk: int) -> Any:
    return get_object_or_404(of.selector(request.user), pk=pk)


@action_required(VIEW)
def record_detail(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    of = kind_named(kind)
    record = _record(request, of, pk)
    fields = [(of.label(name), field_shown(request.user, record, name))
              for name in of.fields if name != "grid_code"]
    materials = (materials_visible_to(request.user).filter(depot=record)
                 if isinstance(record, Depot) else None)
    return render(request, "resources/detail.html", {
        "kind": of, "record": record, "fields": fields,
        "area": area_names([record.grid_code]).get(record.grid_code, record.grid_code),
        "materials": materials,
        "history": record.history.select_related("history_user").order_by(
            "-history_date")[:HISTORY_SHOWN],
        "may_edit": can(request.user, EDIT)})


def _saved(request: SignedInRequest, of: Kind, form: ResourceForm,
           record: AnyResource | None) -> AnyResource | None:
    """The record created or changed through the services, or None with the refusal shown
    on the form."""
    data = dict(form.cleaned_data)
    reason = data.pop("reason")
    grid_code = data.pop("grid_code", None) if of.placed else None
    try:
        if record is None:
            return resource_create(model=of.model, by=request.user, reason=reason,
                                   grid_code=grid_code or None, **data)
        changes = {name: data[name] for name in form.changed_data if name in data}
        return resource_update(record=record, by=request.user, reason=reason,
                               grid_code=grid_code or None, **changes)
    except ValidationError as error:
        service_errors_shown(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("Your role may not do this."))
    return None


def _form_page(request: SignedInRequest, of: Kind, record: AnyResource | None
               ) -> HttpResponse:
    form = form_class(of)(request.POST or None, instance=record, user=request.user,
                          initial={"grid_code": getattr(record, "grid_code", "")})
    if request.method == "POST" and form.is_valid():
        saved = _saved(request, of, form, record)
        if saved is not None:
            messages.success(request, _("Saved: %(record)s.") % {"record": saved})
            return redirect("resources:detail", kind=of.slug, pk=saved.pk)
    return render(request, "resources/form.html", {"kind": of, "record": record,
                                                   "form": form},
                  status=422 if form.errors else 200)


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def record_new(request: SignedInRequest, kind: str) -> HttpResponse:
    return _form_page(request, kind_named(kind), None)


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def record_edit(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    of = kind_named(kind)
    return _form_page(request, of, _record(request, of, pk))


# ---- allocation of scarce supplies (供需调配) ---------------------------------------------

WHY = {NO_STOCK: gettext_lazy("There is not enough in stock anywhere for requests this urgent."),
       KEPT_FOR_HIGHER_PRIORITY: gettext_lazy("The stock went to more urgent requests."),
       CHANGED_BY_HAND: gettext_lazy("The plan was changed by hand.")}


def _acted(request: SignedInRequest, form: Any, act: Callable[[], Any]) -> Any:
    """``act()``'s result, or None with its refusal on ``form`` (or as a message)."""
    try:
        return act()
    except ValidationError as error:
        if form is not None:
            service_errors_shown(form, error)
        else:
            messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        message = str(error) or _("Your role may not do this.")
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)
    return None


@action_required(VIEW)
def supply_request_list(request: SignedInRequest) -> HttpResponse:
    records = supply_requests_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        records = records.filter(status=status)
    page = page_of(request, records)
    names = area_names(record.grid_code for record in page)
    return render(request, "resources/supply_requests.html", {
        "page": page, "status": status, "statuses": RequestStatus.choices,
        "rows": [(record, names.get(record.grid_code, record.grid_code)) for record in page],
        "may_request": can(request.user, Action.REQUEST_SUPPLIES)})


@action_required(Action.REQUEST_SUPPLIES)
@require_http_methods(["GET", "POST"])
def supply_request_new(request: SignedInRequest) -> HttpResponse:
    form = SupplyRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = _acted(request, form, lambda: supply_request_create(
            by=request.user, **form.cleaned_data))
        if created is not None:
            messages.success(request, _("Request filed."))
            return redirect("resources:supply_request", pk=created.pk)
    return render(request, "resources/supply_request_form.html", {"form": form},
                  status=422 if form.errors else 200)


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def supply_request_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A request, its dispatch orders (the receiving grid confirms delivery here) and its
    history; an open request is cancelled here."""
    record = get_object_or_404(supply_requests_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Action.REQUEST_SUPPLIES):
            raise PermissionDenied
        if form.is_valid() and _acted(request, form, lambda: supply_request_cancel(
                request=record, by=request.user, reason=form.cleaned_data["reason"])):
            return redirect("resources:supply_request", pk=record.pk)
    return render(request, "resources/supply_request.html", {
        "record": record, "form": form,
        "area": area_names([record.grid_code]).get(record.grid_code, record.grid_code),
        "orders": dispatch_orders_visible_to(request.user).filter(request=record),
        "history": record.history.select_related("history_user").order_by(
            "-history_date")[:HISTORY_SHOWN],
        "may_request": can(request.user, Action.REQUEST_SUPPLIES),
        "may_edit": can(request.user, EDIT)}, status=422 if form.errors else 200)


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def allocation_list(request: SignedInRequest) -> HttpResponse:
    """The runs of the jurisdiction, and the form that runs a new one."""
    form = AllocationRunForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can(request.user, EDIT):
            raise PermissionDenied
        run = form.is_valid() and _acted(request, form, lambda: allocation_run(
            by=request.user, **form.cleaned_data))
        if run:
            return redirect("resources:allocation", pk=run.pk)
    page = page_of(request, allocation_runs_visible_to(request.user))
    names = area_names(run.grid_code for run in page)
    return render(request, "resources/allocations.html", {
        "page": page, "form": form,
        "rows": [(run, names.get(run.grid_code, run.grid_code)) for run in page],
        "may_edit": can(request.user, EDIT)}, status=422 if form.errors else 200)


def _run(request: SignedInRequest, pk: int) -> AllocationRun:
    return get_object_or_404(allocation_runs_visible_to(request.user), pk=pk)


@action_required(VIEW)
def allocation_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    return _allocation_page(request, run, {})


def _allocation_page(request: SignedInRequest, run: AllocationRun,
                     forms: dict[int, ShipmentForm], status: int = 200) -> HttpResponse:
    """The plan: its shipments (each with its form while a draft), its unmet lines with their
    why, the objective, and once confirmed its dispatch orders."""
    shipments = list(run.shipments.select_related("depot", "request__category"))
    requests = {line.request_id: line.request for line in shipments}
    requests |= {record.pk: record for record in supply_requests_visible_to(request.user)
                 .filter(pk__in=[line["request"] for line in run.unmet])}
    names = area_names({line.request.grid_code for line in shipments})
    may_change = can(request.user, EDIT) and run.status == RunStatus.DRAFT
    return render(request, "resources/allocation.html", {
        "run": run, "area": area_names([run.grid_code]).get(run.grid_code, run.grid_code),
        "shipments": [(line, names.get(line.request.grid_code), forms.get(line.pk) or ShipmentForm(
            initial={"quantity": line.quantity, "depot": line.depot_id},
            user=request.user, prefix=f"s{line.pk}") if may_change else None)
            for line in shipments],
        "unmet": [(requests.get(line["request"]), line, WHY.get(line["why"], line["why"]))
                  for line in run.unmet],
        "orders": dispatch_orders_visible_to(request.user).filter(run=run),
        "confirm": ReasonForm(prefix="confirm") if may_change else None,
        "may_request": can(request.user, Action.REQUEST_SUPPLIES),
        "may_edit": can(request.user, EDIT)}, status=status)


@action_required(EDIT)
@require_POST
def shipment_edit(request: SignedInRequest, pk: int, shipment: int) -> HttpResponse:
    run = _run(request, pk)
    line = get_object_or_404(run.shipments, pk=shipment)
    form = ShipmentForm(request.POST, user=request.user, prefix=f"s{line.pk}")
    if form.is_valid() and _acted(request, form, lambda: shipment_change(
            shipment=line, by=request.user, **form.cleaned_data)):
        messages.success(request, _("The shipment was changed."))
        return redirect("resources:allocation", pk=run.pk)
    return _allocation_page(request, run, {line.pk: form}, status=422)


@action_required(EDIT)
@require_POST
def allocation_confirmed(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    form = ReasonForm(request.POST, prefix="confirm")
    if form.is_valid() and _acted(request, None, lambda: allocation_confirm(
            run=run, by=request.user, reason=form.cleaned_data["reason"])):
        messages.success(request, _("The plan is confirmed: its dispatch orders are made."))
    elif form.errors:
        messages.error(request, _("Say why."))
    return redirect("resources:allocation", pk=run.pk)


@action_required(VIEW)
@require_POST
def dispatch_step(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    """Dispatch an order (EDIT_RESOURCES, at the depot) or confirm its delivery (the
    receiving grid); back to the page it was done from."""
    order = get_object_or_404(dispatch_orders_visible_to(request.user), pk=pk)
    service = {"dispatch": dispatch_send, "deliver": dispatch_deliver}.get(step)
    if service is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why."))
    elif _acted(request, None, lambda: service(order=order, by=request.user,
                                               reason=form.cleaned_data["reason"])):
        messages.success(request, _("Done: %(order)s.") % {"order": order})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("resources:supply_request", pk=order.request_id)
