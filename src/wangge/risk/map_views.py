"""The risk map and dashboard: grids and buildings coloured by grade, counts per area one level
down, the 14-day trend, and what changed today and why."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.access.decorators import action_required
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.divisions.maps import tile_layer
from wangge.foundation.codes import Level as AreaLevel
from wangge.foundation.codes import level_of
from wangge.foundation.permissions import Action
from wangge.foundation.requests import SignedInRequest

from .dashboard import (
    Area,
    Dashboard,
    building_features,
    dashboard,
    grid_features,
    kinds_of,
    risk_area,
)
from .display import LEVEL_COLOURS, level_label
from .models import Level, SubjectKind


def kind_plural(kind: str) -> str:
    """The words for subjects of ``kind``, in the language of the request."""
    return {SubjectKind.PERSON: _("Persons"), SubjectKind.BUILDING: _("Buildings"),
            SubjectKind.GRID: _("Grids"), SubjectKind.COMMUNITY: _("Communities")}[
        SubjectKind(kind)]


def has_grade(area: Area) -> bool:
    """Whether an area is graded itself: a community or a grid (a street or district is not)."""
    return bool(area.code) and level_of(area.code) in (AreaLevel.COMMUNITY, AreaLevel.GRID)


def area_url(area: Area) -> str:
    return reverse("risk:area", args=[area.code]) if area.code else reverse("risk:home")


def persons_read_logged(request: HttpRequest, user: Any, found: Dashboard, *,
                        purpose: str = "", required: bool = False) -> None:
    """Persons' grades shown by name are a read of health data: logged with its purpose."""
    ids = [change.person_id for change in found.changes.listed if change.person_id]
    if ids:
        access_record(by=user, kind=Kind.LIST, request=request, fields=["health_status"],
                      record_ids=ids, target="risk grades",
                      purpose=purpose or purpose_text(Purpose.HEALTH), required=required)


def _chart_data(found: Dashboard, kinds: list[str]) -> dict[str, Any]:
    """What risk.js draws: the trend per kind and level, and per child its buildings at each
    graded level (a click opens the child's own page)."""
    return {
        "words": {"medium": level_label(Level.MEDIUM), "high": level_label(Level.HIGH)},
        "colours": {"medium": LEVEL_COLOURS[Level.MEDIUM], "high": LEVEL_COLOURS[Level.HIGH]},
        "trend": {
            "labels": [day.strftime("%m-%d") for day in found.trend.days],
            "kinds": [{"kind": kind, "name": kind_plural(kind),
                       "medium": found.trend.counts[kind][Level.MEDIUM],
                       "high": found.trend.counts[kind][Level.HIGH]} for kind in kinds]},
        "areas": {
            "labels": [child.area.name for child in found.children],
            **{name: [{"value": child.counts[SubjectKind.BUILDING][level],
                       "url": area_url(child.area)} for child in found.children]
               for name, level in (("medium", Level.MEDIUM), ("high", Level.HIGH))}},
    }


def _map_data(request: SignedInRequest, area: Area) -> dict[str, Any]:
    return {"tiles": tile_layer(), "grids": grid_features(request.user, area),
            "buildings": building_features(request.user, area),
            "colours": {str(level): colour for level, colour in LEVEL_COLOURS.items()}}


@action_required(Action.VIEW_RISK)
def risk_page(request: SignedInRequest, code: str | None = None) -> HttpResponse:
    """The risk map and dashboard of ``code`` (a division or grid in the user's
    jurisdiction; 404 for any other) or of the user's own jurisdiction."""
    user = request.user
    area = risk_area(user, code)
    found = dashboard(user, area)
    kinds = kinds_of(area)
    persons_read_logged(request, user, found)
    return render(request, "risk/map.html", {
        "area": area, "found": found,
        "trail_links": [{"name": above.name, "url": area_url(above)} for above in found.trail],
        "totals": [{"kind": kind, "name": kind_plural(kind),
                    "high": found.counts[kind][Level.HIGH],
                    "medium": found.counts[kind][Level.MEDIUM]} for kind in kinds],
        "children": [{"area": child.area, "url": area_url(child.area),
                      "graded": has_grade(child.area), "level": child.level,
                      "level_label": level_label(child.level),
                      "cells": [(kind_plural(kind), child.counts[kind][Level.HIGH],
                                 child.counts[kind][Level.MEDIUM]) for kind in kinds]}
                     for child in found.children],
        "own_label": level_label(found.own_level), "own_graded": has_grade(area),
        "trend_rows": [
            (day.isoformat(), [(kind_plural(kind), found.trend.counts[kind][Level.HIGH][index],
                                found.trend.counts[kind][Level.MEDIUM][index])
                               for kind in kinds])
            for index, day in reversed(list(enumerate(found.trend.days)))],
        "levels": [(level, level_label(level)) for level in (Level.HIGH, Level.MEDIUM,
                                                               Level.LOW)],
        "chart": _chart_data(found, kinds),
        "map": _map_data(request, area),
        "cockpit_url": (reverse("cockpit:unit", args=[area.code]) if area.code
                        else reverse("cockpit:home")),
        "places_url": (reverse("web:grid" if area.is_grid else "web:division",
                               args=[area.code]) if area.code else ""),
    })
