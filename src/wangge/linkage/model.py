"""The Fellegi–Sunter model: for each comparison level, m (how often the same person's two
records land there) and u (how often two different people's do), both estimated from the data
being linked, as Splink does:

- u from random pairs of records (almost all of them two different people);
- m by expectation–maximisation over the candidate pairs, in sessions: each session takes the
  pairs of one blocking rule and estimates only the comparisons that rule does not fix (pairs
  blocked on a shared ID say nothing about how often IDs agree);
- the prior (how likely two random records are the same person) from the expected number of
  matches among the candidates.

A pair's match weight is the prior's log-odds plus log2(m/u) for each comparison, with u
replaced by the agreeing value's term frequency where that applies. Two rules override it:
two different valid resident IDs are never the same person, and a pair whose name and ID both
disagree is not linked on shared address, phone and birth date alone (a twin, a sibling).
"""

from dataclasses import dataclass, field

import numpy as np

from .blocking import pairs_within_blocks, rule_keys
from .comparisons import BIRTH, COMPARISONS, ID, NAME, SEX, Compared, compare
from .records import RecordTable

RANDOM_PAIRS = 1_000_000
EM_ITERATIONS = 40
SMALLEST_PROBABILITY = 1e-5
CONFLICT_WEIGHT = -1000.0
# Weight given to a pair with no agreement on name or ID: far below any useful threshold.
NO_IDENTITY_WEIGHT = -30.0
# Which comparisons each training session estimates, by the blocking rule it trains on.
TRAINING_SESSIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("id_valid",), ("name", "home")),
    (("fuzzy", "birth"), ("id", "sex", "home")),
    (("fuzzy", "flat"), ("id", "birth", "sex")),
)
# Starting m for each level before EM: agreement likely, disagreement rare.
_START_M = {
    "id": (0.9, 0.05, 0.05), "name": (0.9, 0.04, 0.02, 0.02, 0.02),
    "birth": (0.95, 0.03, 0.02), "sex": (0.98, 0.02), "home": (0.4, 0.2, 0.1, 0.1, 0.2),
}


@dataclass
class Model:
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float  # probability that two random records are the same person
    record_count: int
    sessions: list[dict] = field(default_factory=list)

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def level_weights(self, compared: Compared) -> np.ndarray:
        """log2(m/u) per pair and comparison (0 where a side has no value)."""
        weights = np.zeros(compared.levels.shape, dtype=np.float64)
        floor = 1.0 / max(self.record_count, 1)
        for index, comparison in enumerate(COMPARISONS):
            levels = compared.levels[:, index]
            known = levels >= 0
            m = self.m[index][levels[known]]
            u = self.u[index][levels[known]].copy()
            for level in comparison.frequency_levels:
                at = levels[known] == level
                u[at] = np.maximum(compared.frequency[known, index][at], floor)
            weights[known, index] = np.log2(m / u)
        return weights

    def weights(self, compared: Compared) -> np.ndarray:
        """The match weight (log2 odds) of each pair, the overriding rules applied."""
        total = self.prior_weight + self.level_weights(compared).sum(axis=1)
        total = np.where(has_identity(compared), total, np.minimum(total, NO_IDENTITY_WEIGHT))
        return np.where(compared.conflict, CONFLICT_WEIGHT, total)

    def score(self, table: RecordTable, a: np.ndarray, b: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """The match weight of each pair and whether the pair may never share a cluster."""
        compared = compare(table, a, b)
        return self.weights(compared), cannot_link(compared)


def has_identity(compared: Compared) -> np.ndarray:
    """Whether the IDs agree (up to a typo) or the names do (up to fuzzy pinyin)."""
    return (np.isin(compared.levels[:, ID], (0, 1))
            | np.isin(compared.levels[:, NAME], (0, 1, 2)))


def cannot_link(compared: Compared) -> np.ndarray:
    """Pairs that plainly are two people, however they are chained to others: two valid IDs,
    two birth dates (not a one-part typo), two sexes, or neither name nor ID in common."""
    return (compared.conflict | (compared.levels[:, BIRTH] == 2)
            | (compared.levels[:, SEX] == 1) | ~has_identity(compared))


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``levels`` and how many pairs have each."""
    base = 8  # more than any comparison's levels, plus one for "no value"
    powers = base ** np.arange(levels.shape[1], dtype=np.int64)
    keys, counts = np.unique((levels.astype(np.int64) + 1) @ powers, return_counts=True)
    patterns = (keys[:, None] // powers % base - 1).astype(np.int8)
    return patterns, counts


def estimate_u(table: RecordTable, *, seed: int = 0) -> list[np.ndarray]:
    """u per level from random pairs of records."""
    rng = np.random.default_rng(seed)
    count = len(table)
    size = min(RANDOM_PAIRS, count * (count - 1) // 2)
    a, b = rng.integers(0, count, size), rng.integers(0, count, size)
    keep = a != b
    levels = compare(table, a[keep], b[keep]).levels
    u = []
    for index, comparison in enumerate(COMPARISONS):
        column = levels[:, index]
        counts = np.bincount(column[column >= 0], minlength=len(comparison.levels))
        u.append(np.maximum(counts / max(counts.sum(), 1), 1.0 / max(size, 1)))
    return u


def _expectation_maximisation(patterns: np.ndarray, counts: np.ndarray, m: list[np.ndarray],
                              u: list[np.ndarray], estimated: list[int], fixed_m: bool = False
                              ) -> tuple[list[np.ndarray], float]:
    """EM over distinct level patterns: returns m (updated for ``estimated``) and the share
    of matches among these pairs."""
    m = [values.copy() for values in m]
    share = 0.5
    if not counts.sum():  # no pairs to learn from: keep the starting values
        return m, share
    for _ in range(EM_ITERATIONS):
        log_ratio = np.zeros(len(patterns))
        for index in estimated:
            levels = patterns[:, index]
            known = levels >= 0
            log_ratio[known] += np.log(m[index][levels[known]] / u[index][levels[known]])
        odds = share / (1 - share) * np.exp(np.clip(log_ratio, -700, 700))
        posterior = odds / (1 + odds)
        weighted = posterior * counts
        share = float(np.clip(weighted.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        if fixed_m:
            continue
        for index in estimated:
            levels = patterns[:, index]
            known = levels >= 0
            totals = np.bincount(levels[known], weights=weighted[known],
                                 minlength=len(m[index]))
            if totals.sum() > 0:
                m[index] = np.maximum(totals / totals.sum(), SMALLEST_PROBABILITY)
                m[index] /= m[index].sum()
    return m, share


def train(table: RecordTable, a: np.ndarray, b: np.ndarray, *, seed: int = 0) -> Model:
    """Estimate u, m and the prior from ``table`` and its candidate pairs (a, b)."""
    names = [comparison.name for comparison in COMPARISONS]
    u = estimate_u(table, seed=seed)
    start = [np.array(_START_M[name], dtype=np.float64) for name in names]
    estimates: dict[int, list[np.ndarray]] = {}
    sessions = []
    for rule, estimated_names in TRAINING_SESSIONS:
        first, second = pairs_within_blocks(rule_keys(table, rule))
        if len(first) < 10:
            continue
        patterns, counts = _patterns(compare(table, first, second).levels)
        estimated = [names.index(name) for name in estimated_names]
        m, share = _expectation_maximisation(patterns, counts, start, u, estimated)
        for index in estimated:
            estimates.setdefault(index, []).append(m[index])
        sessions.append({"rule": rule, "pairs": len(first), "match_share": share})
    m = [np.mean(estimates[index], axis=0) if index in estimates else start[index]
         for index in range(len(COMPARISONS))]
    patterns, counts = _patterns(compare(table, a, b).levels)
    _, share = _expectation_maximisation(patterns, counts, m, u, list(range(len(COMPARISONS))),
                                         fixed_m=True)
    total_pairs = len(table) * (len(table) - 1) / 2
    prior = float(np.clip(share * counts.sum() / max(total_pairs, 1), 1e-12, 0.5))
    return Model(m=m, u=u, prior=prior, record_count=len(table), sessions=sessions)

