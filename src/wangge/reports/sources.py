"""Where a report's rows come from besides the registry's persons: a record kept by an app
above this one (a lawful measure, one row each), registered by that app when it is ready, so
that the report is made of the records themselves and nothing is typed twice.

A template names its source (``ReportTemplate.source``; empty: the persons of the registry).
A source says which records a template covers in a scope, as a user may see them (None: the
command line, everyone), the fields a column may name (each a ``ReportField`` reading one
record), and what its population may say.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .fields import ReportField

if TYPE_CHECKING:
    from wangge.access.models import User


@dataclass(frozen=True)
class ReportSource:
    label: Any
    fields: dict[str, ReportField]
    # (population, scope prefix, user or None) → the records, each with a ``grid_code``.
    records: Callable[[dict[str, Any], str, "User | None"], QuerySet]
    population_errors: Callable[[Any], list[str]]


SOURCES: dict[str, ReportSource] = {}


def register_source(name: str, source: ReportSource) -> None:
    SOURCES[name] = source
