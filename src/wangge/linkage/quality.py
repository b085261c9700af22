"""Pairwise quality of a clustering against the truth: of the pairs put in one cluster, how
many are one person (precision), and of the pairs that are one person, how many were put in
one cluster (recall)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Quality:
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _pairs(labels: np.ndarray) -> int:
    counts = np.unique(labels, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise_quality(clusters: np.ndarray, truth: np.ndarray) -> Quality:
    """``clusters`` and ``truth`` give a label per record."""
    both = np.unique(np.stack([clusters, truth]), axis=1, return_counts=True)[1].astype(np.int64)
    return Quality(true_pairs=_pairs(truth), found_pairs=_pairs(clusters),
                   correct_pairs=int((both * (both - 1) // 2).sum()))
