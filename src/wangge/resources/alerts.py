"""Low stock and expiry (`wangge stock-alerts`, daily): a material in a condition with no open
``StockAlert`` opens one, and its owner's staff are told once per owner and condition; a
condition that lasts is not told again, one that ended closes its alert (so it is told again
if it comes back)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.foundation.codes import parent_code
from wangge.foundation.permissions import ROLE_ACTIONS, Action
from wangge.notifications.models import STOCK
from wangge.notifications.services import notify_about
from wangge.organizations.models import Organization

from .models import Condition, Material, StockAlert
from .selectors import in_condition

ITEMS_NAMED = 10
WORDING = gettext_noop("%(owner)s: %(count)s materials %(condition)s: %(items)s")
CONDITION_WORDS: dict[str, str] = {
    Condition.LOW_STOCK: gettext_noop("at or below their low-stock threshold"),
    Condition.EXPIRING: gettext_noop("expiring soon"),
    Condition.EXPIRED: gettext_noop("past their expiry date"),
}


@dataclass
class Checked:
    opened: int = 0
    closed: int = 0
    told: int = 0  # notifications filed


def staff_for(code: str, action: Action) -> list[User]:
    """The active accounts whose role may take ``action`` and who answer for ``code`` itself,
    or, where there are none, for the nearest level above."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    current: str | None = code
    while current:
        staff = list(User.objects.filter(is_active=True, role__in=roles,
                                         jurisdictions__code=current).distinct())
        if staff:
            return staff
        current = parent_code(current)
    return []


def owner_staff(owner: Organization) -> list[User]:
    """Those who may edit resources in the owner's own division or grid, or above."""
    return staff_for(owner.grid_code, Action.EDIT_RESOURCES)


def _told(owner: Organization, condition: str, materials: list[Material]) -> int:
    items = "、".join(f"{material.item} {material.quantity.normalize():f}{material.unit}"
                     for material in materials[:ITEMS_NAMED])
    if len(materials) > ITEMS_NAMED:
        items += " …"
    link = f"{reverse('resources:list', args=['materials'])}?{urlencode({'condition': condition})}"
    return len(notify_about(owner_staff(owner), kind=STOCK, wording=WORDING, values={
        "owner": owner.name, "count": len(materials), "condition": CONDITION_WORDS[condition],
        "items": items}, link=link))


@transaction.atomic
def stock_alerts_check(today: datetime.date | None = None) -> Checked:
    """Open, close and tell the stock alerts of every material, as of ``today``."""
    today = today or timezone.localdate()
    now = timezone.now()
    checked = Checked()
    for condition in Condition.values:
        current = set(Material.objects.filter(in_condition(condition, today))
                      .values_list("pk", flat=True))
        open_alerts = StockAlert.objects.select_for_update().filter(
            condition=condition, closed_at__isnull=True)
        known = set(open_alerts.values_list("material_id", flat=True))
        checked.closed += open_alerts.exclude(material_id__in=current).update(closed_at=now)
        new = Material.objects.filter(pk__in=current - known).select_related("owner")
        by_owner: dict[Organization, list[Material]] = defaultdict(list)
        for material in new.order_by("expires_on", "item"):
            by_owner[material.owner].append(material)
        StockAlert.objects.bulk_create([
            StockAlert(material=material, grid_code=material.grid_code, condition=condition,
                       opened_at=now) for materials in by_owner.values()
            for material in materials])
        checked.opened += len(current - known)
        for owner, materials in by_owner.items():
            checked.told += _told(owner, condition, materials)
    return checked
