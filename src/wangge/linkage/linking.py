"""Linking files: read → normalise → candidate pairs → scores → clusters, each step a function
of the one before, with no database (the platform's review queue reuses the same steps on
records it reads from its own tables).
"""

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.spreadsheets import PERSON_HEADERS, HeaderMap, UnreadableFileError, read_table

from .blocking import candidate_pairs
from .clustering import cluster
from .comparisons import COMPARISONS, compare
from .model import Model, has_identity, train
from .records import LINKED_FIELDS, RecordTable, RecordTableBuilder, normalise_record

# A pair at or above this match probability is the same person (see docs/linkage.md).
DEFAULT_THRESHOLD = 0.9


def probability_to_weight(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def read_files(paths: Sequence[str | Path], *, overrides: Mapping[str, str] | None = None
               ) -> RecordTable:
    """Every data row of every file, normalised. Raises :class:`UnreadableFileError` with a
    line for a person when a file cannot be read or has no column to link on."""
    builder = RecordTableBuilder()
    header_map = HeaderMap(PERSON_HEADERS, overrides)
    seen: set[str] = set()
    for path in map(Path, paths):
        if path.name in seen:
            raise UnreadableFileError(
                _("Two files are named %(file)s; rows are reported by file name, so rename "
                  "one.") % {"file": path.name})
        seen.add(path.name)
        table = read_table(path, is_header=header_map.is_header)
        columns = _field_columns(header_map, table.headers)
        if "name" not in columns and "id_number" not in columns:
            raise UnreadableFileError(
                _("%(file)s has neither a name nor an ID number column to link on.")
                % {"file": path.name})
        for number, (_line, cells) in enumerate(table.rows, start=1):
            fields = {}
            for name, indexes in columns.items():
                texts = [cells[index] for index in indexes
                         if index < len(cells) and cells[index] not in (None, "")]
                if texts:
                    fields[name] = "/".join(map(str, texts)) if name == "phone" else texts[0]
            builder.add(normalise_record(fields), source=path.name, row=number)
    return builder.build()


def _field_columns(header_map: HeaderMap, headers: list[str]) -> dict[str, list[int]]:
    """The columns of each linked field. Unlike an import, two columns for one field (手机 and
    联系电话) are both read: linkage takes every phone and the first filled address."""
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        try:
            found = header_map.columns([header])
        except ValidationError:
            continue
        for name in found:
            if name in LINKED_FIELDS:
                columns.setdefault(name, []).append(index)
    return columns


@dataclass
class Linkage:
    """The outcome: a cluster per record, with the model and scored pairs behind it."""

    table: RecordTable
    model: Model
    first: np.ndarray
    second: np.ndarray
    weights: np.ndarray
    clusters: np.ndarray
    threshold_weight: float

    @property
    def threshold(self) -> float:
        """The threshold as a match probability."""
        return 1 / (1 + 2.0 ** -self.threshold_weight)

    @property
    def cluster_count(self) -> int:
        return int(self.clusters.max()) + 1 if len(self.clusters) else 0


def link(table: RecordTable, *, threshold: float = DEFAULT_THRESHOLD, seed: int = 0) -> Linkage:
    """Link the records of ``table``; ``threshold`` is a match probability."""
    if not 0 < threshold < 1:
        raise ValueError("threshold must be between 0 and 1")
    weight = probability_to_weight(threshold)
    first, second = candidate_pairs(table)
    if len(table) < 2:
        model = Model(m=[], u=[], prior=1e-12, record_count=len(table))
        return Linkage(table, model, first, second, np.zeros(0), np.zeros(len(table), np.int64),
                       weight)
    model = train(table, first, second, seed=seed)
    weights, _forbidden = model.score(table, first, second)
    clusters = cluster(table, model, first, second, weights, weight)
    return Linkage(table, model, first, second, weights, clusters, weight)


def write_clusters(linkage: Linkage, path: str | Path) -> None:
    """``source,row,cluster`` for every record, in the order read."""
    table = linkage.table
    with Path(path).open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["source", "row", "cluster"])
        for source, row, label in zip(table.source_index.tolist(), table.rows.tolist(),
                                      (linkage.clusters + 1).tolist(), strict=True):
            writer.writerow([table.sources[source], row, label])


def find_record(table: RecordTable, reference: str) -> int:
    """The record named ``SOURCE:ROW`` (a file's base name and its 1-based data row)."""
    source, _sep, row = reference.rpartition(":")
    if source not in table.sources or not row.isdigit():
        raise ValueError(_("%(reference)s: write a file name and a data row, such as "
                           "health.xlsx:12.") % {"reference": reference})
    found = np.flatnonzero((table.source_index == table.sources.index(source))
                           & (table.rows == int(row)))
    if len(found) == 0:
        raise ValueError(_("%(source)s has no data row %(row)s.")
                         % {"source": source, "row": row})
    return int(found[0])


# The rules that override a pair's weight, by key (see model.py).
RULES = {
    "conflict": gettext_lazy("Two different valid resident IDs: never the same person."),
    "no_identity": gettext_lazy("Neither name nor ID agrees: not linked on home, phone or "
                                "birth date alone."),
}
# The record columns each comparison shows in an explanation.
SHOWN_COLUMNS = {"id": ("id_text",), "name": ("name", "pinyin"), "birth": ("birth",),
                 "sex": ("sex",), "home": ("home", "phone1", "phone2")}


@dataclass
class Explanation:
    """Why a pair did or did not link: one row per comparison (both sides' values, the level,
    m, u and the weight), then the prior, any overriding rule and the outcome."""

    rows: list[dict[str, str]]
    prior_weight: float
    total: float
    probability: float
    rule: str
    same_cluster: bool
    rule_key: str = ""  # "conflict", "no_identity" or "": the rule, for storing and showing


def explain(linkage: Linkage, left: int, right: int) -> Explanation:
    table, model = linkage.table, linkage.model
    compared = compare(table, np.array([left]), np.array([right]))
    level_weights = model.level_weights(compared)[0]
    rows = []
    for index, comparison in enumerate(COMPARISONS):
        level = int(compared.levels[0, index])
        values = [" ".join(filter(None, (table.value(column, record)
                                         for column in SHOWN_COLUMNS[comparison.name])))
                  for record in (left, right)]
        m = u = "—"
        if level >= 0:
            m = f"{model.m[index][level]:.4g}"
            u = f"{model.u[index][level]:.4g}"
            if level in comparison.frequency_levels:
                frequency = max(float(compared.frequency[0, index]), 1 / model.record_count)
                u = f"{frequency:.4g} (tf)"
        rows.append({"comparison": comparison.name, "left": values[0] or "—",
                     "right": values[1] or "—",
                     "level": comparison.levels[level] if level >= 0 else "—",
                     "m": m, "u": u, "weight": f"{level_weights[index]:+.2f}"})
    total = float(model.weights(compared)[0])
    rule_key = ("conflict" if compared.conflict[0]
                else "no_identity" if not has_identity(compared)[0] else "")
    return Explanation(rows=rows, prior_weight=model.prior_weight, total=total,
                       probability=float(1 / (1 + 2.0 ** -max(total, -60))),
                       rule=str(RULES.get(rule_key, "")), rule_key=rule_key,
                       same_cluster=bool(linkage.clusters[left] == linkage.clusters[right]))
