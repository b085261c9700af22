"""The department ledger of measures as a report source (reports.sources): one row per measure
that became active, read from the measure itself, so nothing is typed twice. The shipped
template "居家健康监测人员台账" (migration 0003) covers home health monitoring; a department may
add its own over any kinds (population ``{"kinds": [...]}``)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.models import User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import SensitiveField
from wangge.reports.fields import Lookups, ReportField
from wangge.reports.sources import ReportSource, register_source

from .models import Measure, MeasureKind, MeasureState
from .selectors import measures_visible_to

SOURCE = "measures"


def _address(measure: Measure) -> str:
    if measure.building is not None:
        return measure.building.address
    dwelling = measure.person.dwelling if measure.person is not None else None
    if dwelling is None:
        return ""
    return f"{dwelling.building.address}{dwelling.unit}单元{dwelling.room}室"


def _person(name: str) -> Any:
    return lambda measure, _places: getattr(measure.person, name, "") if measure.person else ""


def _lifted(measure: Measure, _lookups: Lookups) -> Any:
    if measure.state in (MeasureState.LIFTED, MeasureState.ENDED) and measure.closed_at:
        return timezone.localdate(measure.closed_at)
    return None


def _responsible(measure: Measure, _lookups: Lookups) -> str:
    user = measure.responsible
    return (user.get_full_name() or user.get_username()) if user is not None else ""


FIELDS: dict[str, ReportField] = {
    "name": ReportField(gettext_lazy("name"), lambda m, _p: m.subject_name),
    "id_number": ReportField(gettext_lazy("ID number"), _person("id_number"),
                             SensitiveField.ID_NUMBER),
    "phone": ReportField(gettext_lazy("phone"), _person("phone"), SensitiveField.PHONE),
    "address": ReportField(gettext_lazy("address"), lambda m, _p: _address(m)),
    "grid": ReportField(gettext_lazy("grid"), lambda m, places: places.name(m.grid_code)),
    "kind": ReportField(gettext_lazy("kind"), lambda m, _p: str(m.get_kind_display())),
    "reason": ReportField(gettext_lazy("reason for the measure"), lambda m, _p: m.cause,
                          SensitiveField.HEALTH_STATUS),
    "starts_on": ReportField(gettext_lazy("start"), lambda m, _p: m.starts_on),
    "ends_on": ReportField(gettext_lazy("end or review date"), lambda m, _p: m.ends_on),
    "authority": ReportField(gettext_lazy("deciding authority"),
                             lambda m, _p: m.authority.name if m.authority else ""),
    "legal_basis": ReportField(gettext_lazy("legal basis"),
                               lambda m, _p: str(m.legal_basis or "")),
    "responsible": ReportField(gettext_lazy("person responsible"), _responsible),
    "lifted_on": ReportField(gettext_lazy("date lifted"), _lifted),
    "state": ReportField(gettext_lazy("state"), lambda m, _p: str(m.get_state_display())),
}


def records(population: dict[str, Any], prefix: str, user: User | None) -> QuerySet:
    """The measures that became active under ``prefix`` (of the population's kinds), as
    ``user`` may see them (None: everyone)."""
    measures = measures_visible_to(user) if user is not None else Measure.objects.all()
    kinds = population.get("kinds") or MeasureKind.values
    return (measures.filter(prefix_range("grid_code", prefix), kind__in=kinds,
                            activated_at__isnull=False)
            .select_related("person__dwelling__building", "building", "authority",
                            "legal_basis", "responsible")
            .order_by("grid_code", "starts_on", "pk"))


def population_errors(population: Any) -> list[str]:
    if not isinstance(population, dict) or set(population) - {"kinds"}:
        return [_('Give the population of measures as {"kinds": [...]}.')]
    kinds = population.get("kinds", [])
    if not isinstance(kinds, list) or any(kind not in MeasureKind.values for kind in kinds):
        return [_("kinds takes a list of codes: %(codes)s.")
                % {"codes": ", ".join(MeasureKind.values)}]
    return []


def register() -> None:
    register_source(SOURCE, ReportSource(
        label=gettext_lazy("Lawful measures"), fields=FIELDS, records=records,
        population_errors=population_errors))
