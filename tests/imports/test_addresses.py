"""The standard address base: persons placed from an address alone, in every form departments
write it; ambiguous or unknown addresses refused with candidates or kept in the address queue,
where a building chosen once places the next list by itself."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
    make_user,
    resident_id,
)
from tests.imports.test_import_command import write_csv
from tests.imports.test_other_kinds import run
from wangge.foundation.permissions import Role
from wangge.imports.models import QueuedRow
from wangge.imports.queue import queued_row_place, queued_rows_visible_to
from wangge.people.models import Person
from wangge.places.addresses import AddressBase, Placed, Refusal, Why
from wangge.places.models import BuildingAlias, Dwelling
from wangge.places.services import building_alias_add, building_create, dwelling_create

HEADER = ["姓名", "身份证号", "现住址"]
IDS = [resident_id() for _ in range(6)]


def _building(grid: str, name: str, address: str, units: int = 2, floors: int = 6):
    lon, lat = centre_of(grid)
    building = building_create(name=name, address=address, longitude=lon, latitude=lat,
                               units=units, floors=floors, by=SYSTEM)
    flats = {}
    for unit in range(1, units + 1):
        for floor in range(1, floors + 1):
            for room in (1, 2):
                flats[unit, f"{floor}{room:02d}"] = dwelling_create(
                    building=building, unit=unit, floor=floor, room=f"{floor}{room:02d}",
                    by=SYSTEM)
    return building, flats


@pytest.fixture
def town(world):
    """同心苑 (three buildings on 香港路188号) in 民意社区; 惠民家园1栋 in both streets; 阳光
    公寓A座 with one unit."""
    return {
        "tongxin1": _building(GRID_A, "同心苑1栋", "武汉市江岸区香港路188号同心苑1栋"),
        "tongxin2": _building(GRID_A, "同心苑2号楼", "武汉市江岸区香港路188号同心苑2号楼"),
        "tongxin12": _building(GRID_B, "同心苑12栋", "武汉市江岸区香港路188号同心苑12栋"),
        "huimin_1": _building(GRID_B, "惠民家园1栋", "武汉市江岸区惠济路6号惠民家园1栋"),
        "huimin_2": _building(GRID_C, "惠民家园1栋", "武汉市江岸区二七路9号惠民家园1栋"),
        "sunshine": _building(GRID_A, "阳光公寓A座", "武汉市江岸区台北路3号阳光公寓A座",
                              units=1),
    }


def _flat(town, building: str, unit: int, room: str) -> Dwelling:
    return town[building][1][unit, room]


FORMS = [
    ("武汉市江岸区香港路188号同心苑1栋1单元101室", "tongxin1", 1, "101"),
    ("湖北省武汉市江岸区大智街道民意社区同心苑1栋1单元101室", "tongxin1", 1, "101"),
    ("同心苑1栋1-101", "tongxin1", 1, "101"),
    ("同心苑1-1-101", "tongxin1", 1, "101"),
    ("同心苑1号楼1单元1楼1号", "tongxin1", 1, "101"),
    ("同心苑一幢二单元三零二", "tongxin1", 2, "302"),
    ("同心苑２栋１单元５０２", "tongxin2", 1, "502"),
    ("同心苑2座 1单元, 502室", "tongxin2", 1, "502"),
    ("同心苑十二栋2单元601", "tongxin12", 2, "601"),
    ("香港路188号1栋2单元201", "tongxin1", 2, "201"),
    ("香港路188号同心苑小区1栋2单元201", "tongxin1", 2, "201"),
    ("武漢市江岸區香港路188號同心苑1棟1單元101室", "tongxin1", 1, "101"),
    (" 同心苑 1 栋 1 单元 101 室 ", "tongxin1", 1, "101"),
    ("同心苑1栋，1单元（101室）。", "tongxin1", 1, "101"),
    ("江岸区同心苑1幢1单元101号", "tongxin1", 1, "101"),
    ("阳光公寓A座302", "sunshine", 1, "302"),
    ("阳光公寓a栋3楼2号", "sunshine", 1, "302"),
    ("大智街道惠民家园1栋1单元101", "huimin_1", 1, "101"),
    ("一元街道惠民家园1栋1单元101", "huimin_2", 1, "101"),
]


@pytest.mark.parametrize(("written", "building", "unit", "room"), FORMS)
def test_every_usual_form_names_one_dwelling(town, written, building, unit, room):
    placed = AddressBase([""]).resolve(written)
    assert placed == Placed(building_id=town[building][0].pk,
                            dwelling_id=_flat(town, building, unit, room).pk,
                            grid_code=town[building][0].grid_code)


@pytest.mark.parametrize("written", [
    "惠民家园1栋1单元101",  # in two streets
    "武汉市江岸区惠民家园1栋1单元101",
])
def test_an_ambiguous_address_is_refused_naming_both_buildings(town, written):
    refused = AddressBase([""]).resolve(written)
    assert isinstance(refused, Refusal)
    assert refused.why == Why.BUILDING
    assert {pk for pk, _ in refused.candidates} == {town["huimin_1"][0].pk,
                                                    town["huimin_2"][0].pk}
    assert "（大智街道 民意社区）" in refused.message  # GRID_B, named as staff know it
    assert "（一元街道 天声街社区）" in refused.message  # GRID_C


def test_a_grid_code_or_a_jurisdiction_only_narrows(town):
    assert AddressBase([""]).resolve("惠民家园1栋1单元101", within=GRID_C).dwelling_id == \
        _flat(town, "huimin_2", 1, "101").pk
    assert AddressBase([STREET_1[:9]]).resolve("惠民家园1栋1单元101").dwelling_id == \
        _flat(town, "huimin_1", 1, "101").pk
    refused = AddressBase([""]).resolve("同心苑1栋1单元101", within=GRID_B)
    assert isinstance(refused, Refusal)


@pytest.mark.parametrize(("written", "why"), [
    ("同心园1栋1单元101", Why.BUILDING),  # no such compound: never the nearest one
    ("同心苑9栋1单元101", Why.BUILDING),
    ("香港路200号同心苑1栋1单元101", Why.BUILDING),  # road and compound disagree
    ("同心苑1栋3单元101", Why.DWELLING),
    ("同心苑1栋", Why.NO_DWELLING),
    ("同心苑1栋101", Why.DWELLING),  # room 101 in both units: the unit must be written
])
def test_unknown_or_incomplete_addresses_are_never_guessed(town, written, why):
    refused = AddressBase([""]).resolve(written)
    assert isinstance(refused, Refusal)
    assert refused.why == why


def test_a_near_miss_names_the_likely_building(town):
    refused = AddressBase([""]).resolve("同心园1栋1单元101")
    assert refused.candidates[0][0] == town["tongxin1"][0].pk


def test_an_alias_is_read_first(town):
    building_alias_add(building=town["tongxin1"][0], text="老干部宿舍1栋", by=SYSTEM)
    assert AddressBase([""]).resolve("老干部宿舍1栋2单元201").dwelling_id == \
        _flat(town, "tongxin1", 2, "201").pk
    assert BuildingAlias.objects.get().history.count() == 1


def test_persons_placed_from_an_address_column_alone(town, tmp_path, capsys):
    rows = [[f"居民{index}", IDS[index], written] for index, (written, *_rest) in
            enumerate(FORMS[:6])]
    code, summary, _err = run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER),
                              capsys=capsys)
    assert (code, summary["created"]) == (0, 6), _err
    for index, (_written, building, unit, room) in enumerate(FORMS[:6]):
        person = Person.objects.matching(id_number=IDS[index]).get()
        assert person.dwelling == _flat(town, building, unit, room)
        assert person.grid_code == town[building][0].grid_code


def test_atomic_import_rejects_an_ambiguous_row_naming_candidates(town, tmp_path, capsys):
    rows = [["张伟", IDS[0], "同心苑1栋1单元101"], ["李娜", IDS[1], "惠民家园1栋1单元101"]]
    code, summary, err = run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER),
                             capsys=capsys)
    assert (code, summary["rejected"], summary["queued"]) == (1, 1, 0)
    assert "惠民家园1栋（大智街道 民意社区）" in err  # where it is, by name
    assert "惠民家园1栋（一元街道 天声街社区）" in err
    assert not Person.objects.exists()
    assert not QueuedRow.objects.exists()


def test_alias_chosen_in_the_queue_places_the_next_import(town, tmp_path, capsys):
    rows = [["张伟", IDS[0], "同心苑1栋1单元101"], ["李娜", IDS[1], "惠民家园1栋1单元101"],
            ["王芳", IDS[2], "惠民家园1栋2单元202"]]
    path = write_csv(tmp_path / "a.csv", rows, header=HEADER)
    code, summary, _err = run("persons", path, "--partial", capsys=capsys)
    assert (summary["created"], summary["queued"], summary["rejected"]) == (1, 2, 0)
    officer = make_user(Role.DISTRICT_ADMIN, "420102000000")
    first = queued_rows_visible_to(officer).get(row_number=3)
    assert queued_row_place(queued=first, building=town["huimin_1"][0], by=officer) == 2
    assert not QueuedRow.objects.exists()
    placed = Person.objects.matching(id_number=IDS[2]).get()
    assert placed.dwelling == _flat(town, "huimin_1", 2, "202")
    # The next list writes the same wording: placed by itself, not queued.
    rows = [["赵敏", IDS[3], "惠民家园1栋1单元102"]]
    code, summary, _err = run("persons", write_csv(tmp_path / "b.csv", rows, header=HEADER),
                              capsys=capsys)
    assert (code, summary["created"]) == (0, 1)
    placed = Person.objects.matching(id_number=IDS[3]).get()
    assert placed.dwelling == _flat(town, "huimin_1", 1, "102")


def test_queue_is_scoped_and_needs_the_action(town, tmp_path, capsys):
    rows = [["李娜", IDS[1], "惠民家园1栋1单元101"]]
    run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER), "--partial",
        capsys=capsys)
    queued = QueuedRow.objects.get()
    assert queued.grid_code == "420102"  # the candidates lie in two streets
    street_staff = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    district = make_user(Role.DISTRICT_ADMIN, "420102000000")
    volunteer = make_user(Role.VOLUNTEER, "420102000000")
    assert not queued_rows_visible_to(street_staff).exists()
    assert not queued_rows_visible_to(volunteer).exists()
    with pytest.raises(PermissionDenied):
        queued_row_place(queued=queued, building=town["huimin_1"][0], by=street_staff)
    assert queued_row_place(queued=queued, building=town["huimin_2"][0], by=district) == 1


def test_api_lists_and_places_waiting_rows(town, tmp_path, capsys):
    rows = [["李娜", IDS[1], "惠民家园1栋1单元101"]]
    run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER), "--partial",
        capsys=capsys)
    district = make_user(Role.DISTRICT_ADMIN, "420102000000")
    client = Client()
    client.force_login(district)
    listed = client.get("/api/v1/imports/addresses").json()
    [item] = listed["items"]
    assert item["address"] == "惠民家园1栋1单元101"
    assert {candidate["id"] for candidate in item["candidates"]} == {
        town["huimin_1"][0].pk, town["huimin_2"][0].pk}
    outsider = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    other = Client()
    other.force_login(outsider)
    assert other.get("/api/v1/imports/addresses").json()["items"] == []
    assert other.post(f"/api/v1/imports/addresses/{item['id']}",
                      {"building_id": town["huimin_1"][0].pk},
                      content_type="application/json").status_code == 404
    answer = client.post(f"/api/v1/imports/addresses/{item['id']}",
                         {"building_id": town["huimin_1"][0].pk},
                         content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"landed": 1}
    assert Person.objects.get().dwelling == _flat(town, "huimin_1", 1, "101")
    assert client.post(f"/api/v1/imports/addresses/{item['id']}", {"building_id": 1},
                       content_type="application/json").status_code == 404


def test_the_queue_page_places_a_row(town, tmp_path, capsys):
    rows = [["李娜", IDS[1], "惠民家园1栋1单元101"]]
    run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER), "--partial",
        capsys=capsys)
    district = make_user(Role.DISTRICT_ADMIN, "420102000000")
    client = Client()
    client.force_login(district)
    page = client.get("/imports/addresses/")
    assert page.status_code == 200
    assert "惠民家园1栋1单元101" in page.content.decode()
    queued = QueuedRow.objects.get()
    answer = client.post(f"/imports/addresses/{queued.pk}/",
                         {"building": town["huimin_2"][0].pk})
    assert answer.status_code in (200, 302)
    assert Person.objects.get().dwelling == _flat(town, "huimin_2", 1, "101")
    volunteer = Client()
    volunteer.force_login(make_user(Role.VOLUNTEER, "420102000000"))
    assert volunteer.get("/imports/addresses/").status_code == 403


def test_purge_deletes_old_waiting_rows(town, tmp_path, capsys, settings):
    import datetime

    from django.utils import timezone

    from wangge.imports.queue import queued_rows_purge

    rows = [["李娜", IDS[1], "惠民家园1栋1单元101"]]
    run("persons", write_csv(tmp_path / "a.csv", rows, header=HEADER), "--partial",
        capsys=capsys)
    assert queued_rows_purge() == 0
    QueuedRow.objects.update(created=timezone.now() - datetime.timedelta(
        days=settings.WANGGE_UPLOAD_RETENTION_DAYS + 1))
    assert queued_rows_purge() == 1

