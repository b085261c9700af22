"""The cockpit page: figures for a period, charts that drill down to the unit below, and every
number a link to the event list behind it."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.decorators import action_required
from wangge.events.figures import DEFAULT_DAYS, Period, period_of
from wangge.events.models import State
from wangge.foundation.permissions import Action
from wangge.foundation.requests import SignedInRequest
from wangge.people.models import ResidenceType, VulnerableTag

from .selectors import NOT_DISPATCHED, Cockpit, Unit, cockpit, cockpit_unit

# Periods offered with one tap, in days up to today.
PRESETS = (7, 30, 90, 365)


class PeriodForm(forms.Form):
    """``?from=&to=`` (the event list's own names), both optional."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = forms.DateInput(attrs={"type": "date"})
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), required=False,
                                              widget=widget)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), required=False,
                                            widget=widget)

    def period(self) -> Period | None:
        """The period asked for, or None with the form's errors set."""
        if not self.is_valid():
            return None
        try:
            return period_of(self.cleaned_data["from"], self.cleaned_data["to"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name, message)
            return None


def events_url(unit: Unit, first: datetime.date, last: datetime.date, **filters: Any) -> str:
    """The event list behind a number: the unit's events reported from ``first`` to ``last``,
    narrowed by ``filters`` (``view``, ``state``, ``category``, ``channel``)."""
    query = {"code": unit.code, **filters, "from": first.isoformat(), "to": last.isoformat()}
    return reverse("events:list") + "?" + urlencode({k: v for k, v in query.items() if v})


def cockpit_url(unit: Unit, period: Period | None = None) -> str:
    """The cockpit of ``unit``, for the same period when one was chosen."""
    url = (reverse("cockpit:unit", args=[unit.code]) if unit.code
           else reverse("cockpit:home"))
    if period is None:
        return url
    return url + "?" + urlencode({"from": period.start.isoformat(),
                                  "to": period.end.isoformat()})


def _links(unit: Unit, first: datetime.date, last: datetime.date, **filters: Any
           ) -> dict[str, str]:
    """The lists behind the figures of ``unit``'s events reported from ``first`` to
    ``last``: in all, closed, open, overdue."""
    def url(**more: Any) -> str:
        return events_url(unit, first, last, **filters, **more)

    return {"reported": url(), "closed": url(view="closed", state=State.CLOSED),
            "open": url(view="open"), "overdue": url(view="overdue")}


def _point(value: float | None, url: str = "") -> dict[str, Any]:
    return {"value": value, "url": url}


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _rows(found: Cockpit) -> dict[str, Any]:
    """The figures with the link behind each number, for the tables and the charts."""
    unit, period = found.unit, found.period
    first, last = period.start, period.end
    every_overdue = reverse("events:list") + "?" + urlencode(
        {k: v for k, v in {"code": unit.code, "view": "overdue"}.items() if v})
    return {
        "totals": {"figures": found.totals, "links": _links(unit, first, last),
                   "overdue_now": every_overdue},
        "series": [{"first": step_first, "last": step_last, "figures": figures,
                    "links": _links(unit, step_first, step_last)}
                   for step_first, step_last, figures in found.series],
        "categories": [{"name": category.name, "figures": figures,
                        "links": _links(unit, first, last, category=category.pk)}
                       for category, figures in found.categories],
        "channels": [{"name": str(channel.label), "figures": figures,
                      "links": _links(unit, first, last, channel=channel.value)}
                     for channel, figures in found.channels],
        "areas": sorted(
            ({"unit": child, "figures": figures, "cockpit": cockpit_url(child, period),
              "links": _links(child, first, last),
              "overdue_now": reverse("events:list") + "?" + urlencode(
                  {"code": child.code, "view": "overdue"})}
             for child, figures in found.areas),
            key=lambda row: (-(row["figures"].overdue_now or 0), row["unit"].code)),
        "patrols": None if found.patrols is None else [
            {"unit": child, "coverage": coverage, "percent": _percent(coverage.share),
             "cockpit": cockpit_url(child, period) if child != unit else "",
             "list": reverse("patrols:coverage") + "?" + urlencode(
                 {"code": child.code, "days": (timezone.localdate() - first).days + 1})}
            for child, coverage in found.patrols],
        "satisfaction": [
            {"unit": child, "figures": figures,
             "cockpit": cockpit_url(child, period) if child != unit else ""}
            for child, figures in found.satisfaction.areas],
        "satisfaction_departments": [
            {"name": organization.name if organization else NOT_DISPATCHED,
             "figures": figures} for organization, figures in found.satisfaction.departments],
        "care_visits": None if found.care_visits is None else [
            {"unit": child, "figure": figure, "percent": _percent(figure.share),
             "cockpit": cockpit_url(child, period) if child != unit else ""}
            for child, figure in found.care_visits],
    }


def _chart_data(found: Cockpit, rows: dict[str, Any]) -> dict[str, Any]:
    """What cockpit.js draws: each point with the page a click opens (the list behind a
    number, or the cockpit of a unit one level down), and the words of the legends."""
    def points(entries: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
        return [_point(getattr(entry["figures"], name), entry["links"][name])
                for entry in entries]

    areas = rows["areas"]
    registry = found.registry
    return {
        "words": {"reported": _("Reported"), "closed": _("Closed"), "overdue": _("Overdue"),
                  "overdue_now": _("Overdue now"), "closure_rate": _("Closure rate"),
                  "on_time_rate": _("On-time rate"), "coverage": _("Patrol coverage"),
                  "visited_on_time": _("Visited on time"),
                  "residents": _("Residents"), "vulnerable": _("Vulnerable residents")},
        "series": {
            "labels": [entry["first"].strftime("%m-%d") for entry in rows["series"]],
            **{name: points(rows["series"], name) for name in ("reported", "closed",
                                                                "overdue")}},
        "categories": {"labels": [entry["name"] for entry in rows["categories"]],
                       **{name: points(rows["categories"], name)
                          for name in ("reported", "closed", "overdue")}},
        "channels": [{"name": entry["name"], "value": entry["figures"].reported,
                      "url": entry["links"]["reported"]} for entry in rows["channels"]],
        # Units, worst first: a click opens the unit's own cockpit.
        "areas": {
            "labels": [entry["unit"].name for entry in areas],
            "overdue_now": [_point(entry["figures"].overdue_now, entry["cockpit"])
                            for entry in areas],
            "closure_rate": [_point(_percent(entry["figures"].closure_rate), entry["cockpit"])
                             for entry in areas],
            "on_time_rate": [_point(_percent(entry["figures"].on_time_rate), entry["cockpit"])
                             for entry in areas]},
        "patrols": None if rows["patrols"] is None else {
            "labels": [entry["unit"].name for entry in rows["patrols"]],
            "coverage": [_point(entry["percent"], entry["cockpit"] or entry["list"])
                         for entry in rows["patrols"]]},
        "care_visits": None if rows["care_visits"] is None else {
            "labels": [entry["unit"].name for entry in rows["care_visits"]],
            "visited_on_time": [_point(entry["percent"], entry["cockpit"])
                                for entry in rows["care_visits"]]},
        "registry": None if registry is None else {
            "residence": [{"name": str(ResidenceType(kind).label), "value": count}
                          for kind, count in registry.residence_types.items()],
            "care": None if registry.vulnerable_groups is None else {
                "labels": [str(VulnerableTag(tag).label) for tag in registry.vulnerable_groups],
                "values": list(registry.vulnerable_groups.values())}},
    }


@action_required(Action.VIEW_COCKPIT)
def cockpit_page(request: SignedInRequest, code: str | None = None) -> HttpResponse:
    """The cockpit of ``code`` (a division or grid in the user's jurisdiction; 404 for any
    other) or of the user's own jurisdiction, over ``?from=&to=`` (the last 30 days by
    default). A period that cannot be is answered 400, with the form saying why."""
    unit = cockpit_unit(request.user, code)
    form = PeriodForm(request.GET)
    period = form.period()
    context: dict[str, Any] = {"unit": unit, "form": form, "presets": [
        {"days": days, "url": cockpit_url(unit, period_of(
            timezone.localdate() - datetime.timedelta(days=days - 1)))}
        for days in PRESETS], "default_days": DEFAULT_DAYS}
    if period is None:
        return render(request, "cockpit/cockpit.html", context, status=400)
    # The form shows the period counted, the default one included.
    context["form"] = PeriodForm({"from": period.start, "to": period.end})
    found = cockpit(request.user, unit, period)
    rows = _rows(found)
    context.update({
        "found": found, "rows": rows, "chart": _chart_data(found, rows),
        "trail_links": [{"name": above.name, "url": cockpit_url(above, period)}
                        for above in found.trail],
        "registry_children": found.registry and [
            {"unit": child, "residents": residents, "vulnerable": vulnerable,
             "cockpit": cockpit_url(child, period)}
            for child, residents, vulnerable in found.registry.children],
        "care": found.registry and found.registry.vulnerable_groups and [
            (VulnerableTag(tag).label, count)
            for tag, count in found.registry.vulnerable_groups.items()],
        "residence": found.registry and [
            (ResidenceType(kind).label, count)
            for kind, count in found.registry.residence_types.items()],
        "places_url": (reverse("web:grid" if len(unit.code) == 15 else "web:division",
                               args=[unit.code]) if unit.code else ""),
    })
    return render(request, "cockpit/cockpit.html", context)

