"""From scored pairs to people: connected components, checked and cut under cannot-link rules.

Pairs at or above the threshold make connected components. Every pair inside a component is
then scored, whether or not blocking paired it. A component is one person when no pair in it
*cannot link* (two valid IDs, two birth dates, two sexes, or neither name nor ID in common;
see ``model.cannot_link``) and every pair in it has evidence for (a weight above the prior).
Otherwise it is rebuilt from its strongest links down: a link joins two clusters only if no
pair across them cannot link and the pairs across have, on average, evidence for. A chain
A–B–C whose ends plainly differ therefore stops at the link that would join them, instead of
making one "person" of everyone along it; and no cluster ever holds two valid resident IDs.
"""

import numpy as np

from .blocking import all_pairs
from .model import Model
from .records import RecordTable

# Components up to this size are scored pair by pair; larger ones (which a sound threshold
# should never produce) are cut by their strongest links under the valid-ID rule alone.
DENSE_LIMIT = 400


def connected_components(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A label per record (the smallest record index of its component)."""
    parent = np.arange(count)
    while True:
        root_a, root_b = parent[a], parent[b]
        differ = root_a != root_b
        if not differ.any():
            return parent
        low = np.minimum(root_a, root_b)[differ]
        np.minimum.at(parent, root_a[differ], low)
        np.minimum.at(parent, root_b[differ], low)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def cluster(table: RecordTable, model: Model, a: np.ndarray, b: np.ndarray,
            weights: np.ndarray, threshold: float) -> np.ndarray:
    """A cluster number (0..k-1) for each record; ``threshold`` is a match weight."""
    linked = weights >= threshold
    labels = connected_components(len(table), a[linked], b[linked])
    order = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    dense = (sizes >= 2) & (sizes <= DENSE_LIMIT)
    first, second = all_pairs(order, starts[dense], sizes[dense])
    if len(first):
        pair_weights, forbidden = model.score(table, first, second)
        doubtful = forbidden | (pair_weights < model.prior_weight)
        pair_counts = (sizes[dense] * (sizes[dense] - 1) // 2).astype(np.int64)
        ends = np.cumsum(pair_counts)
        bad = np.add.reduceat(doubtful.astype(np.int64), ends - pair_counts)
        for index in np.flatnonzero(bad):
            members = order[starts[dense][index]:starts[dense][index] + sizes[dense][index]]
            span = slice(ends[index] - pair_counts[index], ends[index])
            _rebuild(labels, members, first[span], second[span], pair_weights[span],
                     forbidden[span], threshold, model.prior_weight)
    for index in np.flatnonzero(sizes > DENSE_LIMIT):
        members = order[starts[index]:starts[index] + sizes[index]]
        _split_large(labels, table, members, a, b, weights, threshold)
    return np.unique(labels, return_inverse=True)[1]


def _rebuild(labels: np.ndarray, members: np.ndarray, first: np.ndarray, second: np.ndarray,
             pair_weights: np.ndarray, forbidden: np.ndarray, threshold: float,
             prior_weight: float) -> None:
    """Strongest links first, under the cannot-link and average-evidence rules; relabels
    ``labels`` in place."""
    size = len(members)
    position = {record: index for index, record in enumerate(members.tolist())}
    rows = np.array([position[record] for record in first.tolist()])
    columns = np.array([position[record] for record in second.tolist()])
    evidence = np.zeros((size, size))
    evidence[rows, columns] = evidence[columns, rows] = pair_weights - prior_weight
    blocked = np.zeros((size, size), dtype=bool)
    blocked[rows, columns] = blocked[columns, rows] = forbidden
    groups: dict[int, list[int]] = {index: [index] for index in range(size)}
    root = list(range(size))
    for pair in np.argsort(-pair_weights, kind="stable"):
        if pair_weights[pair] < threshold:
            break
        left, right = root[rows[pair]], root[columns[pair]]
        if left == right:
            continue
        across = np.ix_(groups[left], groups[right])
        if blocked[across].any() or evidence[across].mean() < 0:
            continue
        for index in groups[right]:
            root[index] = left
        groups[left] += groups.pop(right)
    for group in groups.values():
        labels[members[group]] = members[group[0]]


def _split_large(labels: np.ndarray, table: RecordTable, members: np.ndarray,
                 a: np.ndarray, b: np.ndarray, weights: np.ndarray, threshold: float) -> None:
    """Strongest links first, refusing any that would join two valid IDs."""
    inside = np.isin(a, members) & np.isin(b, members) & (weights >= threshold)
    parent = {record: record for record in members.tolist()}
    identity = {record: int(table.codes["id_valid"][record]) for record in members.tolist()}

    def root(record: int) -> int:
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    for edge in np.flatnonzero(inside)[np.argsort(-weights[inside], kind="stable")]:
        left, right = root(int(a[edge])), root(int(b[edge]))
        if left == right:
            continue
        if identity[left] >= 0 and identity[right] >= 0 and identity[left] != identity[right]:
            continue
        parent[right] = left
        identity[left] = max(identity[left], identity[right])
    for record in members.tolist():
        labels[record] = root(record)
