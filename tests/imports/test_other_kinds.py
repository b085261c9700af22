"""`wangge import buildings|dwellings|facilities|organizations FILE`, and persons landed on
their dwelling: the same command, atomicity, idempotence, history and jurisdiction."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    SYSTEM,
    centre_of,
    make_building,
    make_person,
    make_user,
)
from tests.imports.test_import_command import ID_1, ID_2, write_csv, write_xlsx
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization, ServedGrid
from wangge.people.models import Household, Person
from wangge.places.models import Building, Dwelling, Facility
from wangge.places.services import dwelling_create


def credit_code() -> str:
    from stdnum.cn import uscc

    body = "91420102MA4K5L6M7"
    return body + uscc.calc_check_digit(body)


def run(kind: str, path: Path, *options: str, capsys) -> tuple[int, dict, str]:
    code = 0
    try:
        call_command("import", kind, str(path), "--json", "--lang", "en", *options)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}, err


BUILDING_HEADER = ["楼栋名称", "地址", "经度", "纬度", "网格编码", "单元数", "楼层数"]


def building_rows() -> list[list]:
    lon, lat = centre_of(GRID_A)
    return [["3栋", "胜利街12号3栋", lon, lat, "", 2, 6],
            ["5栋", "胜利街12号5栋", "", "", GRID_B, 1, 18]]


def test_buildings_placed_by_point_or_grid_and_second_import_changes_nothing(
        world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "楼栋.xlsx", building_rows(), BUILDING_HEADER)
    code, summary, _ = run("buildings", path, capsys=capsys)
    assert (code, summary) == (0, {"rows": 2, "created": 2, "updated": 0, "unchanged": 0,
                                   "rejected": 0, "queued": 0, "warned": 0})
    assert dict(Building.objects.values_list("name", "grid_code")) == {"3栋": GRID_A,
                                                                       "5栋": GRID_B}
    history = Building.history.count()
    code, summary, _ = run("buildings", path, capsys=capsys)
    assert (code, summary["unchanged"], Building.history.count()) == (0, 2, history)


def test_changed_building_updated_with_its_source(world, tmp_path, capsys):
    run("buildings", write_csv(tmp_path / "a.csv", building_rows(), header=BUILDING_HEADER),
        capsys=capsys)
    rows = building_rows()
    rows[1][6] = 20
    code, summary, _ = run("buildings", write_csv(tmp_path / "b.csv", rows,
                                                  header=BUILDING_HEADER),
                           "--department", "住建局", capsys=capsys)
    assert (code, summary["updated"], summary["unchanged"]) == (0, 1, 1)
    latest = Building.objects.get(name="5栋").history.first()
    assert latest.floors == 20
    assert all(part in latest.history_change_reason for part in ("b.csv", "住建局", "3"))


def test_buildings_point_contradicting_grid_or_outside_jurisdiction_rejected(
        world, tmp_path, capsys):
    make_user(Role.GRID_WORKER, GRID_A, username="worker")
    rows = building_rows()
    rows[0][4] = GRID_B  # the point lies in grid A
    lon, lat = centre_of(GRID_C)
    rows.append(["7栋", "天声街7栋", lon, lat, "", 1, 6])
    code, summary, err = run("buildings", write_csv(tmp_path / "a.csv", rows,
                                                    header=BUILDING_HEADER),
                             "--user", "worker", capsys=capsys)
    assert (code, summary["rejected"]) == (1, 3)
    assert f"lie in {GRID_A}, not in {GRID_B}" in err
    assert f"{GRID_C} is outside your jurisdiction" in err
    assert Building.objects.count() == 0


DWELLING_HEADER = ["楼栋", "网格编码", "单元", "楼层", "房号"]


def test_dwellings_found_by_building_address_or_name_and_checked(world, tmp_path, capsys):
    make_building(GRID_A, name="3栋", units=2, floors=6)  # address 测试路3栋
    rows = [["测试路3栋", "", 1, "", "101"],  # floor read from the room
            ["3栋", GRID_A, "2", 6, "602"],
            ["3栋", GRID_A, 3, 1, "101"],  # the building has two units
            ["9栋", GRID_A, 1, 1, "101"]]
    path = write_csv(tmp_path / "a.csv", rows, header=DWELLING_HEADER)
    code, summary, err = run("dwellings", path, capsys=capsys)
    assert (code, summary["rejected"]) == (1, 2)
    assert "has units 1 to 2" in err
    assert "No building 9栋" in err
    assert Dwelling.objects.count() == 0
    code, summary, _ = run("dwellings", path, "--partial", capsys=capsys)
    assert (code, summary["created"], summary["rejected"]) == (0, 2, 2)
    assert sorted(Dwelling.objects.values_list("unit", "floor", "room")) == [
        (1, 1, "101"), (2, 6, "602")]
    code, summary, _ = run("dwellings", path, "--partial", capsys=capsys)
    assert (summary["created"], summary["unchanged"]) == (0, 2)


def test_facilities_kind_words_and_point(world, tmp_path, capsys):
    lon, lat = centre_of(GRID_B)
    header = ["设施名称", "类型", "地址", "经度", "纬度", "容量"]
    rows = [["民意社区卫生服务站", "卫生服务站", "胜利街1号", lon, lat, ""],
            ["江岸避难场所", "应急避难场所", "胜利街2号", lon, lat, 500],
            ["某处", "游乐场", "胜利街3号", lon, lat, ""]]
    path = write_csv(tmp_path / "a.csv", rows, header=header)
    code, _, err = run("facilities", path, capsys=capsys)
    assert code == 1
    assert "游乐场 is not one of" in err
    code, summary, _ = run("facilities", path, "--partial", capsys=capsys)
    assert summary["created"] == 2
    shelter = Facility.objects.get(name="江岸避难场所")
    assert (shelter.kind, shelter.grid_code, shelter.capacity) == ("shelter", GRID_B, 500)


ORGANIZATION_HEADER = ["组织名称", "组织类型", "统一社会信用代码", "所属网格", "服务网格",
                       "联系电话"]


def test_organizations_keyed_by_credit_code_with_served_grids(world, tmp_path, capsys):
    code_text = credit_code()
    rows = [["民意物业有限公司", "物业公司", code_text.lower(), COMMUNITY_1,
             f"{GRID_A}、{GRID_B}", "027-8288 1234"],
            ["民意社区志愿服务队", "志愿服务队", "", GRID_A, GRID_A, ""],
            ["无码企业", "企业", "", COMMUNITY_1, "", ""]]
    path = write_csv(tmp_path / "a.csv", rows, header=ORGANIZATION_HEADER)
    code, summary, err = run("organizations", path, capsys=capsys)
    assert (code, summary["rejected"]) == (1, 1)
    assert "An enterprise needs its unified social credit code" in err
    code, summary, _ = run("organizations", path, "--partial", capsys=capsys)
    assert summary["created"] == 2
    company = Organization.objects.get(credit_code=code_text)
    assert set(company.served_grids.values_list("grid_code", flat=True)) == {GRID_A, GRID_B}
    rows[0][0] = "民意物业服务有限公司"  # renamed: the same record, found by its code
    rows[1][4] = f"{GRID_A}；{GRID_B}"
    code, summary, _ = run("organizations", write_csv(tmp_path / "b.csv", rows[:2],
                                                      header=ORGANIZATION_HEADER),
                           capsys=capsys)
    assert (code, summary["updated"], summary["created"]) == (0, 2, 0)
    assert Organization.objects.get(credit_code=code_text).name == "民意物业服务有限公司"
    assert ServedGrid.objects.filter(grid_code=GRID_B).count() == 2
    code, summary, _ = run("organizations", tmp_path / "b.csv", capsys=capsys)
    assert summary["unchanged"] == 2


PERSON_HEADER = ["姓名", "身份证号", "网格编码", "住址", "户号", "与户主关系"]


@pytest.fixture
def dwelling_501(world):
    building = make_building(GRID_A, name="3栋", units=2, floors=6)
    return dwelling_create(building=building, unit=2, floor=5, room="501", by=SYSTEM)


def test_person_lands_on_dwelling_named_in_address_with_household(dwelling_501, tmp_path,
                                                                   capsys):
    rows = [["张伟", ID_1, "", "测试路3栋2单元501室", "H1", "户主"],
            ["李娜", ID_2, GRID_A, "3栋2单元501", "H1", "配偶"]]
    path = write_csv(tmp_path / "a.csv", rows, header=PERSON_HEADER)
    code, summary, _ = run("persons", path, capsys=capsys)
    assert (code, summary["created"]) == (0, 2)
    assert set(Person.objects.values_list("dwelling", "grid_code")) == {
        (dwelling_501.pk, GRID_A)}
    assert Household.objects.get(number="H1").dwelling == dwelling_501
    code, summary, _ = run("persons", path, capsys=capsys)
    assert summary["unchanged"] == 2


@pytest.mark.parametrize(("address", "lands"), [
    *[(written, True) for written in ("3号楼2单元501室", "测试路3-2-501", "三栋二单元五零一",
                                      "3幢2单元5楼1室", "３栋２单元５０１")],
    ("测试路3栋", False),  # no unit or room: no dwelling named, the grid code places them
])
def test_person_address_written_any_way_departments_write_it(dwelling_501, tmp_path, capsys,
                                                             address, lands):
    rows = [["张伟", ID_1, GRID_A, address, "", ""]]
    code, summary, _ = run("persons", write_csv(tmp_path / "a.csv", rows, header=PERSON_HEADER),
                           capsys=capsys)
    assert (code, summary["created"]) == (0, 1)
    assert Person.objects.get().dwelling == (dwelling_501 if lands else None)


def test_address_of_another_building_is_not_read_as_this_one(dwelling_501, tmp_path, capsys):
    """A3栋 is not 3栋: the row is refused, not landed on 3栋's flat."""
    rows = [["张伟", ID_1, GRID_A, "A3栋2单元501", "", ""]]
    code, _, err = run("persons", write_csv(tmp_path / "a.csv", rows, header=PERSON_HEADER),
                       capsys=capsys)
    assert code == 1
    assert "No building is known by this address" in err
    assert not Person.objects.exists()


def test_exact_building_name_wins_over_a_shared_label(dwelling_501, tmp_path, capsys):
    make_building(GRID_A, name="3号", units=2, floors=6)  # labelled 3, as 3栋 is
    header = ["姓名", "身份证号", "网格编码", "楼栋", "单元", "房号"]
    rows = [["张伟", ID_1, GRID_A, "3栋", 2, "501"]]
    code, summary, _ = run("persons", write_csv(tmp_path / "a.csv", rows, header=header),
                           capsys=capsys)
    assert (code, summary["created"]) == (0, 1)
    assert Person.objects.get().dwelling == dwelling_501


def test_person_with_building_unit_room_columns_and_unknown_dwelling(dwelling_501, tmp_path,
                                                                     capsys):
    header = ["姓名", "身份证号", "网格编码", "楼栋", "单元", "房号"]
    rows = [["张伟", ID_1, GRID_A, "3号楼", 2, "501"],
            ["李娜", ID_2, GRID_A, "3栋", 2, "502"]]
    code, summary, err = run("persons", write_csv(tmp_path / "a.csv", rows, header=header),
                             capsys=capsys)
    assert (code, summary["rejected"]) == (1, 1)
    assert "no dwelling in unit 2, room 502" in err
    assert "import the dwellings first" in err
    assert Person.objects.count() == 0


def test_person_registered_elsewhere_is_not_moved_by_import(dwelling_501, tmp_path, capsys):
    person = make_person(GRID_A, id_number=ID_1)
    rows = [[person.name, ID_1, GRID_A, "3栋2单元501", "", ""]]
    code, _, err = run("persons", write_csv(tmp_path / "a.csv", rows, header=PERSON_HEADER),
                       capsys=capsys)
    assert code == 1
    assert "recorded as a transfer" in err
    person.refresh_from_db()
    assert person.dwelling != dwelling_501
