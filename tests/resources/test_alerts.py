"""Low stock and expiry: an alert opens once per material and condition and its owner's
staff are told once; a lasting condition is not told again, an ended one closes (and is told
again if it comes back); expiring then expired are two conditions."""

import datetime
from decimal import Decimal

from django.core.management import call_command

from tests.factories import COMMUNITY_1, STREET_1, SYSTEM, make_user
from wangge.foundation.permissions import Role
from wangge.notifications.models import STOCK, Notification
from wangge.organizations.services import organization_create
from wangge.resources.alerts import owner_staff, stock_alerts_check
from wangge.resources.models import StockAlert
from wangge.resources.services import material_adjust, material_create

TODAY = datetime.date.today()


def _told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=STOCK))


def test_owners_staff_are_told_once_per_condition(world):
    material_adjust(material=world.water, change=Decimal(-85), by=SYSTEM, reason="调拨")
    checked = stock_alerts_check(TODAY)
    assert checked.opened == 2  # water low, masks expiring
    conditions = set(StockAlert.objects.filter(closed_at__isnull=True)
                     .values_list("material__item", "condition"))
    assert conditions == {("瓶装水", "low_stock"), ("医用口罩", "expiring")}
    told = _told(world.community)
    assert len(told) == 2
    low = next(note for note in told if "low_stock" in note.link)
    assert "瓶装水 15箱" in low.values["items"]
    assert low.link == "/resources/materials/?condition=low_stock"
    assert _told(world.outsider) == []  # another community's staff
    assert _told(world.worker) == []  # a grid worker does not keep stock
    again = stock_alerts_check(TODAY)
    assert (again.opened, again.told) == (0, 0)
    assert len(_told(world.community)) == 2


def test_an_ended_condition_closes_and_is_told_again_when_it_comes_back(world):
    material_adjust(material=world.water, change=Decimal(-85), by=SYSTEM, reason="调拨")
    stock_alerts_check(TODAY)
    material_adjust(material=world.water, change=Decimal(50), by=SYSTEM, reason="补货")
    assert stock_alerts_check(TODAY).closed == 1
    material_adjust(material=world.water, change=Decimal(-60), by=SYSTEM, reason="调拨")
    assert stock_alerts_check(TODAY).opened == 1
    assert len([note for note in _told(world.community) if "low_stock" in note.link]) == 2


def test_expiring_then_expired_are_two_conditions_and_an_empty_line_neither(world):
    stock_alerts_check(TODAY)
    later = world.masks.expires_on + datetime.timedelta(days=1)
    checked = stock_alerts_check(later)
    assert (checked.opened, checked.closed) == (1, 1)
    assert StockAlert.objects.get(closed_at__isnull=True, material=world.masks).condition == \
        "expired"
    empty = material_create(depot=world.depot, category=world.category("medical"),
                            item="碘伏", quantity=Decimal(0), unit="瓶",
                            expires_on=TODAY - datetime.timedelta(days=3), by=SYSTEM,
                            reason="登记")
    stock_alerts_check(later)
    assert set(StockAlert.objects.filter(material=empty).values_list(
        "condition", flat=True)) == {"low_stock"}


def test_up_to_ten_items_are_named_in_one_notification(world):
    for number in range(12):
        material_create(depot=world.depot, category=world.category("food"),
                        item=f"罐头{number:02d}", quantity=Decimal(1), unit="箱",
                        low_stock_threshold=Decimal(5), by=SYSTEM, reason="入库")
    stock_alerts_check(TODAY)
    [low] = [note for note in _told(world.community) if "low_stock" in note.link]
    assert low.values["count"] == 12
    assert low.values["items"].count("罐头") == 10
    assert low.values["items"].endswith("…")


def test_staff_are_found_at_the_nearest_level_above_when_none_answer_for_the_owner(world):
    station = organization_create(name="民意一网格服务站", kind="social",
                                  grid_code="420102001001001", by=SYSTEM)
    assert set(owner_staff(station)) == {world.community}  # the grid's community
    street_office = organization_create(name="大智街道办", kind="department",
                                        grid_code=STREET_1, by=SYSTEM)
    assert owner_staff(street_office) == [world.street]
    extra = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    assert set(owner_staff(world.office)) == {world.community, extra}


def test_the_command_runs_it_and_can_enqueue_it(world, capsys):
    call_command("stock-alerts")
    assert "Opened 1 alerts" in capsys.readouterr().out
    call_command("stock-alerts", "--enqueue")
    assert "Enqueued" in capsys.readouterr().out
