"""Linking real files end to end (read → normalise → pairs → scores → clusters): each kind of
noise is linked, each hard negative is kept apart. The crafted rows sit among generated lists
of a thousand residents, so the model is estimated from realistic data as it would be."""

import csv

import numpy as np
import pytest
from stdnum.cn import ric

from wangge.linkage.generator import population, write_lists
from wangge.linkage.linking import explain, find_record, link, read_files
from wangge.linkage.quality import pairwise_quality
from wangge.linkage.records import normalise_record, record_table
from wangge.linkage.services import person_fields
from wangge.normalisers import DocumentType


def resident_id(birth: str, order: int, area: str = "420102") -> str:
    body = f"{area}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def legacy(number: str) -> str:
    return number[:6] + number[8:17]


def mistyped(number: str) -> str:
    changed = number[:15] + str((int(number[15]) + 3) % 10) + number[16:]
    assert changed[-1] != ric.calc_check_digit(changed)  # still invalid
    return changed


LI = resident_id("19750304", 11)
WANG = resident_id("19600101", 31)
ZHAO = resident_id("19520817", 42)
TWIN_1, TWIN_2 = resident_id("20100606", 51), resident_id("20100606", 53)
ZHANG_1, ZHANG_2, ZHANG_3 = (resident_id("19800101", 61), resident_id("19850505", 71),
                             resident_id("19900909", 81))
CHAIN_A, CHAIN_C = resident_id("19800101", 91), resident_id("19800101", 93)

# label: (姓名, 身份证号, 性别, 出生日期, 手机号, 地址)
CRAFTED = {
    "li": ("李思远", LI, "男", "", "13911110001", "阳光花园3栋2单元501"),
    "li_no_id": ("李思远", "", "男", "", "13911110001", "阳光花园3-2-501"),
    "wang": ("王建国", WANG, "男", "", "13911110002", "翠苑新村12栋1单元302"),
    "wang_typo": ("王建国", mistyped(WANG), "", "", "13800000002", "翠苑新村十二栋一单元302室"),
    "zhao": ("赵秀兰", ZHAO, "女", "", "13911110003", "锦绣家园7号楼3单元1101室"),
    "zhao_legacy": ("赵秀兰", legacy(ZHAO), "", "", "", "锦绣家园7-3-1101"),
    "chen": ("陈国华", resident_id("19700202", 21), "男", "", "13911110004", "东方城5栋1单元201"),
    "chen_traditional": ("陳國華", "", "男", "1970-02-02", "", "東方城5棟1單元201"),
    "zhangwei_homophone": ("张玮", "", "男", "", "13911110005", "和平苑2栋2单元202"),
    "zhangwei_homophone_id": ("张伟", resident_id("19780707", 15), "男", "", "13911110005",
                              "武汉市江岸区和平苑2幢2单元2楼2室"),
    "ma": ("马文静", resident_id("19880808", 22), "女", "", "13911110006", "百步新村9栋3单元601"),
    "ma_new_phone": ("马文静", "", "女", "1988-08-08", "15000000006", "百步新村9号楼3单元601室"),
    "xu": ("徐晓东", resident_id("19830303", 33), "男", "", "", "惠民小区4栋2单元1502"),
    "xu_variant": ("徐晓东", "", "", "", "", "江岸区大智街道惠民小区4-2-1502"),
    # A household: two people share home and phone, no IDs.
    "father": ("刘建军", "", "男", "", "13911110007", "光明小区8栋1单元101"),
    "son": ("刘浩然", "", "男", "", "13911110007", "光明小区8栋1单元101"),
    # Twins: same birth date, home and phone, names one character apart.
    "twin_1": ("周子涵", TWIN_1, "男", "", "13911110008", "枫林苑6栋1单元901"),
    "twin_2": ("周子轩", TWIN_2, "男", "", "13911110008", "枫林苑6栋1单元901"),
    "twin_1_no_id": ("周子涵", "", "男", "2010-06-06", "13911110008", "枫林苑6-1-901"),
    "twin_2_no_id": ("周子轩", "", "男", "2010-06-06", "13911110008", "枫林苑6-1-901"),
    # Three people called 张伟, each also listed once without an ID at their own home.
    "zhang_1": ("张伟", ZHANG_1, "男", "", "13911110011", "紫荆小区1栋1单元101"),
    "zhang_2": ("张伟", ZHANG_2, "男", "", "13911110012", "紫荆小区2栋1单元101"),
    "zhang_3": ("张伟", ZHANG_3, "男", "", "13911110013", "南湖花园3栋1单元101"),
    "zhang_1_no_id": ("张伟", "", "男", "", "13911110011", "紫荆小区1-1-101"),
    "zhang_2_no_id": ("张伟", "", "男", "", "13911110012", "紫荆小区2-1-101"),
    # Namesakes born the same day, in different homes; a row without an ID goes to the one
    # whose home and phone it has.
    "fang_1": ("王芳", resident_id("19850505", 24), "女", "", "13911110014", "春华小区1栋101"),
    "fang_2": ("王芳", resident_id("19850505", 26), "女", "", "13911110015", "丽水家园5栋2单元303"),
    "fang_2_no_id": ("王芳", "", "女", "1985-05-05", "13911110015", "丽水家园5-2-303"),
    # A chain: B shares A's home and C's phone; A and C hold different valid IDs.
    "chain_a": ("张敏", CHAIN_A, "女", "", "13911110016", "长江花园1栋1单元101"),
    "chain_b": ("张敏", "", "女", "", "13911110017", "长江花园1栋1单元101"),
    "chain_c": ("张敏", CHAIN_C, "女", "", "13911110017", "新华小区9栋1单元909"),
}
LABELS = list(CRAFTED)

SAME = [("li", "li_no_id"), ("wang", "wang_typo"), ("zhao", "zhao_legacy"),
        ("chen", "chen_traditional"), ("zhangwei_homophone", "zhangwei_homophone_id"),
        ("ma", "ma_new_phone"), ("xu", "xu_variant"), ("twin_1", "twin_1_no_id"),
        ("twin_2", "twin_2_no_id"), ("zhang_1", "zhang_1_no_id"), ("zhang_2", "zhang_2_no_id"),
        ("fang_2", "fang_2_no_id")]
DIFFERENT = [("father", "son"), ("twin_1", "twin_2"), ("twin_1_no_id", "twin_2_no_id"),
             ("twin_1", "twin_2_no_id"), ("zhang_1", "zhang_2"), ("zhang_1", "zhang_3"),
             ("zhang_1_no_id", "zhang_2_no_id"), ("zhang_1_no_id", "zhang_2"),
             ("fang_1", "fang_2"), ("fang_1", "fang_2_no_id"), ("chain_a", "chain_c")]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lists")
    paths, truth = write_lists(directory, population(1200, seed=3), seed=5)
    crafted = directory / "crafted.csv"
    with crafted.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["姓名", "身份证号", "性别", "出生日期", "手机号", "地址"])
        writer.writerows(CRAFTED.values())
    table = read_files([*paths, crafted])
    return link(table), truth


def row(linkage, label: str) -> int:
    return find_record(linkage.table, f"crafted.csv:{LABELS.index(label) + 1}")


@pytest.mark.parametrize(("first", "second"), SAME)
def test_noise_is_linked(linked, first, second):
    linkage, _truth = linked
    assert linkage.clusters[row(linkage, first)] == linkage.clusters[row(linkage, second)]


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_hard_negatives_are_kept_apart(linked, first, second):
    linkage, _truth = linked
    assert linkage.clusters[row(linkage, first)] != linkage.clusters[row(linkage, second)]


def test_no_cluster_holds_two_valid_ids(linked):
    linkage, _truth = linked
    valid = linkage.table.codes["id_valid"]
    has_id = valid >= 0
    pairs = np.unique(np.stack([linkage.clusters[has_id], valid[has_id]]), axis=1)
    assert len(np.unique(pairs[0])) == pairs.shape[1]


def test_generated_lists_are_linked_precisely(linked):
    linkage, truth = linked
    table = linkage.table
    generated = np.array([table.sources[source] != "crafted.csv"
                          for source in table.source_index])
    people = np.array([truth.get((table.sources[source], number), -1)
                       for source, number in zip(table.source_index, table.rows, strict=True)])
    quality = pairwise_quality(linkage.clusters[generated], people[generated])
    assert quality.precision >= 0.999
    assert quality.f1 >= 0.99


def test_chain_stops_at_a_different_valid_id(linked):
    linkage, _truth = linked
    clusters = {linkage.clusters[row(linkage, label)]
                for label in ("chain_a", "chain_b", "chain_c")}
    assert len(clusters) >= 2


def test_a_lower_threshold_still_never_joins_two_valid_ids(linked):
    linkage, _truth = linked
    loose = link(linkage.table, threshold=0.01)
    assert loose.clusters[row(loose, "twin_1")] != loose.clusters[row(loose, "twin_2")]
    assert loose.clusters[row(loose, "chain_a")] != loose.clusters[row(loose, "chain_c")]


def test_explain_names_the_overriding_rules(linked):
    linkage, _truth = linked
    twins = explain(linkage, row(linkage, "twin_1"), row(linkage, "twin_2"))
    assert "valid resident IDs" in twins.rule
    assert not twins.same_cluster
    household = explain(linkage, row(linkage, "father"), row(linkage, "son"))
    assert "Neither name nor ID" in household.rule
    assert [line["level"] for line in household.rows if line["comparison"] == "home"] == [
        "same address and phone"]


def test_registered_flats_of_a_compound_sharing_one_road_address_are_told_apart():
    """A road address alone (香港路188号) is shared by a compound's buildings: persons in the
    registry are compared on their building written as the address base knows it."""
    def person(building: str, room: str = "101") -> dict:
        return {"name": "张伟", "document_type": DocumentType.RESIDENT_ID, "id_number": "",
                "sex": "M", "birth_date": None, "phone": "", "dwelling__building__name": building,
                "dwelling__building__address": "香港路188号", "dwelling__unit": 1,
                "dwelling__room": room}

    table = record_table(normalise_record(person_fields(values)) for values in (
        person("同心苑1栋"), person("同心苑2栋"), person("同心苑2栋")))
    assert table.value("flat", 0) != table.value("flat", 1)
    assert table.value("home", 1) == table.value("home", 2)
