"""Records for the API access matrix (tests/api/test_access_matrix.py): in ``grid``, a pair
waiting for review and a merge."""

from typing import Any

from tests.factories import SYSTEM, make_person
from wangge.linkage.models import MatchCandidate
from wangge.linkage.services import person_merge


def linkage_records(grid: str) -> dict[str, Any]:
    first, second = (make_person(grid, name="欧阳秀梅", id_number="") for _ in range(2))
    kept, absorbed = (make_person(grid, name="司马光", id_number="") for _ in range(2))
    return {
        "candidate": MatchCandidate.objects.create(left=first, right=second, probability=0.8,
                                                   weight=2.0),
        "merge": person_merge(keep=kept, absorb=absorbed, by=SYSTEM, reason="同一人"),
    }
