"""Records of needs and offers filed under one grid, for the back office's matrix
(tests/core/test_admin_scope.py)."""

from typing import Any

from tests.factories import SYSTEM, make_user
from wangge.foundation.permissions import Role
from wangge.needs.models import Donation
from wangge.needs.services import match_confirm, match_deliver, need_post, offer_record


def needs_records(grid: str) -> dict[str, Any]:
    """A need of ``grid``, an offer to it, a match to deliver and a donation delivered."""
    need = need_post(by=SYSTEM, grid_code=grid, kind="goods", category="food", item="大米",
                     quantity=2, unit="袋")
    offer = offer_record(by=SYSTEM, area_code=grid, kind="goods", category="food",
                         item="大米", quantity=2, unit="袋", donor_name="爱心人士")
    worker = make_user(Role.GRID_WORKER, grid)
    match = match_confirm(by=SYSTEM, need=need, offer=offer, quantity=1, assignee=worker)
    delivered = match_confirm(by=SYSTEM, need=need, offer=offer, quantity=1, assignee=worker)
    match_deliver(by=SYSTEM, match=delivered, quantity=1)
    return {"need": need, "offer": offer, "match": match,
            "donation": Donation.objects.get(match=delivered)}
