"""Candidate pairs: only records that share a blocking key are compared.

Each rule is a combination of columns; two records are a candidate pair when they agree on all
columns of at least one rule. Every rule pairs a strong key (an ID, or the sound of the name) with
something that makes it rare, so no rule needs all of a city's 张伟 compared with each other.
Blocks larger than ``MAX_BLOCK`` (a community office's phone written for every elderly resident)
are skipped for that rule: such a shared value tells nothing about identity.
"""

import numpy as np

from .records import RecordTable

BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("id_valid",),
    ("id_text",),
    ("fuzzy", "birth"),
    ("fuzzy", "phone1"),
    ("fuzzy", "phone2"),
    ("fuzzy", "flat"),
    # A mistyped ID: its area and birth date, or its order code and check digit, still agree.
    ("id_head", "surname"),
    ("id_tail", "fuzzy"),
)
MAX_BLOCK = 200


def rule_keys(table: RecordTable, rule: tuple[str, ...]) -> np.ndarray:
    """One int64 key per record for ``rule`` (-1 where any of its columns is empty)."""
    keys = np.zeros(len(table), dtype=np.int64)
    present = np.ones(len(table), dtype=bool)
    for column in rule:
        codes = table.codes[column]
        keys = keys * (len(table.values[column]) + 1) + codes
        present &= codes >= 0
    return np.where(present, keys, -1)


def pairs_within_blocks(keys: np.ndarray, *, max_block: int = MAX_BLOCK
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (a < b) of records with the same key, in blocks of 2..max_block records."""
    members = np.flatnonzero(keys >= 0)
    order = members[np.argsort(keys[members], kind="stable")]
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    kept = (sizes >= 2) & (sizes <= max_block)
    return all_pairs(order, starts[kept], sizes[kept])


def all_pairs(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """All pairs inside each group ``order[start:start+size]``, vectorised (a < b)."""
    if len(sizes) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sizes = sizes.astype(np.int64)
    group = np.repeat(np.arange(len(sizes)), sizes)
    offset = np.arange(len(group)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = starts[group] + offset
    partners = sizes[group] - 1 - offset
    left = np.repeat(position, partners)
    step = np.arange(len(left)) - np.repeat(np.cumsum(partners) - partners, partners)
    first, second = order[left], order[left + 1 + step]
    return np.minimum(first, second), np.maximum(first, second)


def candidate_pairs(table: RecordTable, rules: tuple[tuple[str, ...], ...] = BLOCKING_RULES
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (a < b) that at least one rule puts in one block."""
    count = len(table)
    encoded = []
    for rule in rules:
        first, second = pairs_within_blocks(rule_keys(table, rule))
        encoded.append(np.unique(first * count + second))
    pairs = np.unique(np.concatenate(encoded)) if encoded else np.zeros(0, np.int64)
    return pairs // max(count, 1), pairs % max(count, 1)
