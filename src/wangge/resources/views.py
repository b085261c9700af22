"""Pages of the emergency resource database under /resources/: counts per kind and the
materials needing attention, a kind's list (search as one types, materials by condition),
a record with its history (who and why) and a depot's materials, and the forms that create
and change records through the services."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wangge.access.decorators import action_required
from wangge.divisions.selectors import area_names
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .forms import ResourceForm, form_class
from .kinds import KINDS, Kind, field_shown, kind_named
from .models import Condition, Depot, Material
from .selectors import in_condition, materials_visible_to, needing_attention
from .services import AnyResource, resource_create, resource_update

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
