"""The catalogues: Simplified Chinese complete (nothing untranslated, nothing fuzzy), the
Traditional one exactly what `wangge hant_messages` makes of it; and pages of the emergency
apps in the default language, an exercise marked [演练] wherever it is seen."""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import timezone
from opencc import OpenCC

from tests.alerts.conftest import make_world as alerts_world
from tests.emergency.conftest import make_world as emergency_world
from tests.factories import GRID_A, GRID_B
from tests.resources.conftest import make_world as resources_world
from wangge.emergency.models import TeamMember
from wangge.emergency.services import drill_run, drill_schedule, emergency_declare
from wangge.resources.models import MaterialCategory
from wangge.resources.services import supply_request_create
from wangge.web.management.commands.hant_messages import CATALOGUE, to_traditional

LOCALE = Path(settings.LOCALE_PATHS[0])


def catalogue(language: str) -> str:
    return (LOCALE / language / CATALOGUE).read_text()


def chinese(user) -> Client:
    client = Client()  # no Accept-Language: the default language
    client.force_login(user)
    return client


def test_the_simplified_catalogue_has_no_untranslated_or_fuzzy_entry():
    text = catalogue("zh_Hans")
    # An empty msgstr not continued on the next line (the header's is) is untranslated.
    untranslated = re.findall(r'^((?:msgid.*\n|".*\n)+)msgstr(?:\[\d+\])? ""\n(?!")', text, re.M)
    fuzzy = re.findall(r'^#,.*\bfuzzy\b.*\n(?:#.*\n)*msgid (".*")', text, re.M)
    assert untranslated == []
    assert fuzzy == []


def test_the_traditional_catalogue_is_the_simplified_one_converted():
    expected = to_traditional(catalogue("zh_Hans"), OpenCC("s2tw").convert)
    assert catalogue("zh_Hant") == expected, "run `wangge hant_messages`"


def test_an_exercise_is_marked_in_chinese_on_its_page_the_list_and_the_inbox(db):
    world = alerts_world()
    alert = world.publish(status="Exercise", participants=[world.volunteer])
    client = chinese(world.volunteer)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "[演练] 暴雨橙色预警" in page
    assert "现行" in page
    assert "受影响网格" in page
    assert "[演练] 暴雨橙色预警" in client.get("/alerts/").content.decode()
    assert "[演练] 预警（发布）：暴雨橙色预警" in client.get("/inbox/").content.decode()


def test_the_roll_call_is_in_chinese(db):
    world = emergency_world()
    emergency = emergency_declare(plan=world.plan, level="III", grids=[GRID_A, GRID_B],
                                  by=world.author, reason="暴雨")
    page = chinese(world.author).get(f"/emergency/{emergency.pk}/roll-call/").content.decode()
    for words in ("点名", "能到岗", "不能到岗", "未应答", "社区指挥组"):
        assert words in page, words
    record = chinese(world.author).get(f"/emergency/{emergency.pk}/").content.decode()
    assert "III级（较大，黄色）" in record
    assert "实时点名" in record


def test_the_resources_home_is_in_chinese(db):
    world = resources_world()
    page = chinese(world.community).get("/resources/").content.decode()
    for words in ("应急资源", "本辖区的应急储备", "储备点", "避难场所", "需关注的物资", "即将过期"):
        assert words in page, words


def test_a_drill_is_in_chinese(db):
    world = emergency_world()
    drill = drill_schedule(plan=world.plan, level="III", grids=[GRID_A, GRID_B],
                           scheduled_at=timezone.now() + datetime.timedelta(days=1),
                           participants=TeamMember.objects.filter(team=world.command),
                           by=world.author, reason="季度演练")
    drill_run(drill=drill, by=world.approver, reason="桌面推演")
    client = chinese(world.author)
    page = client.get(f"/emergency/drills/{drill.pk}/").content.decode()
    for words in ("[演练]", "III级（较大，黄色）", "已实施", "参演人员", "得分", "检查项", "缺口",
                  "短板", "整改任务"):
        assert words in page, words
    listed = client.get("/emergency/drills/").content.decode()
    for words in ("演练", "安排演练", "得分"):
        assert words in listed, words


def test_a_supply_request_is_in_chinese(db):
    world = resources_world()
    asks = supply_request_create(grid_code=GRID_A, category=MaterialCategory.objects.get(
        code="water"), item="瓶装水", unit="箱", quantity=60, urgency="urgent",
        for_vulnerable=True, why="停水", by=world.worker)
    client = chinese(world.worker)
    page = client.get(f"/resources/requests/{asks.pk}/").content.decode()
    for words in ("物资申请", "紧急：当天需要", "用于特殊群体", "申请人", "取消申请"):
        assert words in page, words
    listed = client.get("/resources/requests/").content.decode()
    for words in ("物资申请", "申请物资", "物资调配", "全部状态"):
        assert words in listed, words
