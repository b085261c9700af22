"""The measures the access matrices (tests/api/test_access_matrix.py,
tests/web/test_page_matrix.py) work on: a community's health station holding the power, a
measure waiting for approval with an open appeal, and a draft, for a person of ``grid``."""

import datetime
from typing import Any

from django.utils import timezone

from tests.factories import SYSTEM, make_person, make_user
from wangge.foundation.permissions import Role
from wangge.measures.models import LegalBasis
from wangge.measures.services import appeal_file, measure_power_grant, measure_propose
from wangge.organizations.services import organization_create


def measure_records(grid: str) -> dict[str, Any]:
    station = organization_create(name="卫生服务站", kind="department", grid_code=grid[:12],
                                  by=SYSTEM)
    measure_power_grant(organization=station, kinds=["home_monitoring"], by=SYSTEM,
                        reason="授权")
    today = timezone.localdate()
    person = make_person(grid, name="观察")
    fields = {"cause": "密接", "legal_basis": LegalBasis.objects.get(article="第三十九条",
                                                                   law__contains="传染病"),
              "authority": station, "starts_on": today,
              "ends_on": today + datetime.timedelta(days=6),
              "responsible": make_user(Role.GRID_WORKER, grid), "notified_at": timezone.now(),
              "food": "代购", "medicine": "送药", "dependants_care": "无",
              "appeal_channel": "电话"}
    pending = measure_propose(kind="home_monitoring", person=person, by=SYSTEM, submit=True,
                              **fields)
    appeal = appeal_file(measure=pending, text="申诉", by=SYSTEM)
    draft = measure_propose(kind="home_monitoring", person=person, by=SYSTEM, **fields)
    return {"measure": pending, "measure_appeal": appeal, "measure_draft": draft}
