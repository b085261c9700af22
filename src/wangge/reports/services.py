"""Writes for report templates: checked before they are saved, shipped ones installed once."""

import json
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor
from wangge.foundation.history import save_with_history
from wangge.foundation.permissions import Action, require

from .export import FORMATS
from .fields import population_errors
from .models import ReportTemplate
from .sources import SOURCES

SHIPPED = Path(__file__).with_name("shipped_templates.json")


def report_template_validate(template: ReportTemplate) -> None:
    """Columns are a list of {header, field, format}; the population uses known filters."""
    errors: dict[str, list[str]] = {}
    columns = template.columns
    if not isinstance(columns, list) or not columns or not all(
        isinstance(column, dict) and str(column.get("header", "")).strip()
        and str(column.get("field", "")).strip() for column in columns
    ):
        errors["columns"] = [_("Give a list of columns, each with a header and a field.")]
    elif bad := [column["header"] for column in columns
                 if column.get("format", "text") not in FORMATS]:
        errors["columns"] = [_("Unknown format in %(headers)s; use text, date or number.")
                             % {"headers": ", ".join(bad)}]
    elif repeated := [header for header, count in
                      Counter(column["header"] for column in columns).items() if count > 1]:
        errors["columns"] = [_("Each column needs its own header: %(headers)s appear twice.")
                             % {"headers": ", ".join(repeated)}]
    population = {} if template.population is None else template.population
    if template.source:
        source = SOURCES.get(template.source)
        if source is None:
            errors["source"] = [_("Unknown source %(source)s; use %(sources)s.")
                                % {"source": template.source,
                                   "sources": ", ".join(sorted(SOURCES)) or "—"}]
        elif problems := source.population_errors(population):
            errors["population"] = problems
    elif problems := population_errors(population):
        errors["population"] = problems
    if errors:
        raise ValidationError(errors)


def report_template_save(*, template: ReportTemplate, by: Actor, reason: str
                         ) -> ReportTemplate:
    """Check a template (new or edited) and save it, the change kept in its history."""
    require(by, Action.EDIT_REPORT_TEMPLATES)
    report_template_validate(template)
    template.full_clean()
    return save_with_history(template, by=by, reason=reason)


def report_templates_install(model: type[ReportTemplate] = ReportTemplate) -> int:
    """Create the shipped templates that are missing (staff edits to existing ones stay)."""
    created = 0
    for data in json.loads(SHIPPED.read_text(encoding="utf-8")):
        _template, was_created = model.objects.get_or_create(slug=data["slug"], defaults=data)
        created += was_created
    return created
