"""The alert the access matrices (tests/api/test_access_matrix.py,
tests/web/test_page_matrix.py) work on: a real warning in force for ``grid``."""

from typing import Any

from tests.factories import SYSTEM
from wangge.alerts.services import alert_publish
from wangge.divisions.models import Grid


def alert_records(grid: str) -> dict[str, Any]:
    alert = alert_publish(grids=[Grid.objects.get(code=grid)], status="Actual",
                          category="Met", event="暴雨", urgency="Expected", severity="Severe",
                          certainty="Likely", headline="暴雨预警", by=SYSTEM, reason="测试")
    return {"alert": alert}
