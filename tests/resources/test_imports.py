"""`wangge import depots|stocks|shelters FILE` with real xlsx files: the same header
detection, atomicity and rejects workbook as every import, rows checked by the resources'
services, a stock row setting (not adding to) the quantity, history naming the file, template
workbooks, and uploads in the background."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import GRID_A, GRID_B, GRID_C, centre_of, make_building
from tests.imports.test_import_command import write_xlsx
from tests.imports.uploads import immediate_tasks, upload_of
from wangge.imports.jobs import import_job_create, importable_kinds
from wangge.imports.models import ImportJob
from wangge.resources.models import Depot, Material, Shelter

__all__ = ["immediate_tasks"]

DEPOT_HEADER = ["储备点名称", "地址", "经度", "纬度", "网格编码", "所属单位", "联系人", "联系电话"]
STOCK_HEADER = ["储备点", "物资类别", "物资名称", "数量", "单位", "有效期至", "预警数量"]
SHELTER_HEADER = ["场所名称", "地址", "网格编码", "可容纳人数", "已安置人数", "饮用水", "供电",
                  "无障碍"]


def run(kind: str, path: Path, *options: str, capsys) -> tuple[int, dict, str]:
    code = 0
    try:
        call_command("import", kind, str(path), "--json", "--lang", "en", *options)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}, err


def test_depots_placed_by_point_or_code_and_a_second_import_changes_nothing(
        world, tmp_path, capsys):
    lon, lat = centre_of(GRID_A)
    path = write_xlsx(tmp_path / "储备点.xlsx", [
        ["民意二号储备点", "民意路20号", lon, lat, "", "民意社区居委会", "王五", "13900001111"],
        ["民意三号储备点", "民意路30号", "", "", GRID_B, "民意社区居委会", "", ""],
    ], DEPOT_HEADER)
    code, summary, err = run("depots", path, capsys=capsys)
    assert (code, summary["created"]) == (0, 2), err
    assert dict(Depot.objects.filter(name__in=["民意二号储备点", "民意三号储备点"])
                .values_list("name", "grid_code")) == {"民意二号储备点": GRID_A,
                                                       "民意三号储备点": GRID_B}
    history = Depot.objects.get(name="民意二号储备点").history.get()
    assert "储备点.xlsx" in history.history_change_reason
    code, summary, _ = run("depots", path, capsys=capsys)
    assert (code, summary["unchanged"]) == (0, 2)


def test_stock_rows_set_the_quantity_and_name_depot_and_category(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "库存.xlsx", [
        ["民意储备点", "饮用水", "瓶装水", 40, "箱", "", 10],
        ["民意储备点", "food", "方便面", 12.5, "箱", "2027-06-30", ""],
    ], STOCK_HEADER)
    code, summary, err = run("stocks", path, capsys=capsys)
    assert (code, summary["updated"], summary["created"]) == (0, 1, 1), err
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(40)  # set, not added to the 100 there were
    assert world.water.low_stock_threshold == Decimal(10)
    noodles = Material.objects.get(item="方便面")
    assert (noodles.category.code, noodles.expires_on, noodles.owner) == (
        "food", datetime.date(2027, 6, 30), world.office)


def test_one_bad_row_writes_nothing_and_the_rejects_workbook_says_why(world, tmp_path,
                                                                       capsys):
    path = write_xlsx(tmp_path / "库存.xlsx", [
        ["民意储备点", "饮用水", "瓶装水", 40, "箱", "", ""],
        ["天声储备点", "食品", "饼干", 5, "箱", "", ""],  # another community's depot
        ["民意储备点", "玩具", "积木", -1, "盒", "", ""],
    ], STOCK_HEADER)
    rejects = tmp_path / "rejects.xlsx"
    code, summary, _err = run("stocks", path, "--user", world.community.username,
                             "--rejects", str(rejects), capsys=capsys)
    assert (code, summary["rejected"], summary["updated"]) == (1, 2, 0)
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(100)
    sheet = load_workbook(rejects).active
    reasons = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert "天声储备点" in reasons
    assert "积木" in reasons
    assert "No depot called 天声储备点" in reasons


def test_partial_writes_the_good_rows(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "避难场所.xlsx", [
        ["民意小学", "民意路9号", GRID_A, 300, 0, "是", "有", "否"],
        ["天声体育馆", "天声路3号", GRID_C, 500, 0, "是", "是", "是"],  # outside
        ["超员场所", "民意路11号", GRID_A, 10, 11, "是", "是", "是"],  # over capacity
    ], SHELTER_HEADER)
    code, summary, err = run("shelters", path, "--user", world.community.username,
                             "--partial", capsys=capsys)
    assert (code, summary["created"], summary["rejected"]) == (0, 1, 2), err
    shelter = Shelter.objects.get()
    assert (shelter.grid_code, shelter.drinking_water, shelter.power, shelter.step_free) == (
        GRID_A, True, True, False)
    assert "occupancy" in err.lower() or "capacity" in err.lower()


def test_template_workbooks(world, tmp_path):
    for kind, header in (("depots", "储备点名称"), ("stocks", "物资名称"),
                         ("shelters", "可容纳人数")):
        out = tmp_path / f"{kind}.xlsx"
        call_command("import-template", kind, "--out", str(out))
        first_row = next(load_workbook(out).worksheets[0].iter_rows(max_row=1))
        assert header in [cell.value for cell in first_row]


def test_an_upload_is_imported_in_the_background(world, tmp_path, immediate_tasks,
                                                 django_capture_on_commit_callbacks):
    path = write_xlsx(tmp_path / "库存.xlsx", [["民意储备点", "饮用水", "瓶装水", 60, "箱",
                                                "", ""]], STOCK_HEADER)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(by=world.community, upload=upload_of(path), kind="stocks")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.summary
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(60)
    assert world.water.history.first().history_user == world.community


def test_only_roles_that_keep_resources_and_import_files_may_import_them(world):
    assert "stocks" in importable_kinds(world.community)
    assert "stocks" in importable_kinds(world.street)
    assert "stocks" not in importable_kinds(world.worker)
    assert "stocks" not in importable_kinds(world.auditor)


def test_a_shelter_with_neither_point_nor_code_is_placed_by_the_building_its_address_names(
        world, tmp_path, capsys):
    make_building(GRID_A, name="8栋")  # at 测试路8栋
    header = ["场所名称", "地址", "可容纳人数"]
    path = write_xlsx(tmp_path / "避难场所.xlsx", [["8栋架空层", "测试路8栋", 40],
                                                  ["无处", "不存在的路100号", 10]], header)
    code, summary, err = run("shelters", path, "--partial", capsys=capsys)
    assert (code, summary["created"], summary["rejected"]) == (0, 1, 1), err
    assert Shelter.objects.get(name="8栋架空层").grid_code == GRID_A
