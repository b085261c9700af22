"""The name and address normalisers, and how linkage reads IDs and phones through the shared
ones."""

import pytest

from wangge.linkage.records import normalise_record
from wangge.normalisers.addresses import chinese_numerals_to_digits, parse_address
from wangge.normalisers.names import fuzzy_pinyin, name_pinyin, normalise_name


@pytest.mark.parametrize("written", ["张伟", "张 伟", "張偉", " 张\u3000伟 ", "張　偉"])
def test_one_written_name(written):
    assert normalise_name(written) == "张伟"


def test_names_fold_width_case_and_dots():
    assert normalise_name("ｊｏｈｎ．ｓｍｉｔｈ") == "JOHN·SMITH"
    assert normalise_name("阿卜杜•热合曼") == normalise_name("阿卜杜・热合曼") == "阿卜杜·热合曼"


def test_homophones_share_pinyin():
    assert name_pinyin("张伟") == name_pinyin("张玮") == "zhang wei"
    assert name_pinyin("陈建平") == name_pinyin("陈健平")
    assert name_pinyin("张伟") != name_pinyin("张文")


def test_fuzzy_pinyin_merges_dialect_confusions():
    assert fuzzy_pinyin(name_pinyin("刘德华")) == fuzzy_pinyin(name_pinyin("牛德华"))
    assert fuzzy_pinyin(name_pinyin("陈晨")) == fuzzy_pinyin(name_pinyin("岑辰"))
    assert fuzzy_pinyin(name_pinyin("王芳")) != fuzzy_pinyin(name_pinyin("王丽"))


@pytest.mark.parametrize("written", [
    "幸福小区3栋2单元501", "幸福小区3号楼2单元501室", "幸福小区3-2-501", "幸福小区三栋二单元501",
    "幸福小区三栋二单元五零一", "幸福小区3幢2单元5楼1室", "幸福小區3座2單元0501",
    "幸福小区3栋2单元5层1室",
    "幸福小区３—２—５０１",
])
def test_one_flat_written_many_ways(written):
    address = parse_address(written)
    assert (address.place, address.building, address.unit, address.floor, address.room) == (
        "幸福小区", "3", "2", "5", "501")
    assert address.dwelling == "3-2-501"


def test_divisions_before_the_compound_stay_in_the_place():
    address = parse_address("湖北省武汉市江岸区建设路12号幸福小区3栋2单元501")
    assert address.place == "湖北省武汉市江岸区建设路12号幸福小区"
    assert address.dwelling == "3-2-501"


def test_flat_without_unit_and_unparsed_addresses():
    assert parse_address("A座1201").dwelling == "A--1201"
    assert parse_address("3-501").dwelling == "3--501"
    rural = parse_address("幸福村3组12号")
    assert rural.dwelling == ""
    assert rural.text == "幸福村3组12号"


def test_chinese_numerals():
    assert chinese_numerals_to_digits("十二栋二十一单元一百零一") == "12栋21单元101"
    assert chinese_numerals_to_digits("两单元") == "2单元"
    assert chinese_numerals_to_digits("两湖花园") == "两湖花园"


def test_ids_as_linkage_reads_them():
    valid = "11010519491231002X"
    record = normalise_record({"id_number": "11010519491231002x"})
    assert (record.id_valid, record.birth, record.sex) == (valid, "19491231", "F")
    assert normalise_record({"id_number": "１１０１０５ 19491231 002X"}).id_valid == valid
    # A 15-digit first-generation number is the same person's 18-digit one.
    assert normalise_record({"id_number": "110105491231002"}).id_valid == valid
    typo = normalise_record({"id_number": "11010519491231003X"})
    assert (typo.id_valid, typo.id_text, typo.birth) == ("", "11010519491231003X", "19491231")
    assert normalise_record({"id_number": "1.10105E+17"}).id_text == ""
    passport = normalise_record({"id_number": "E12345678", "document_type": "护照"})
    assert passport.id_valid == ""
    assert passport.id_text.endswith("E12345678")


def test_phones_as_linkage_reads_them():
    assert normalise_record({"phone": "+86 138-1234-5678"}).phones == ("13812345678",)
    assert normalise_record({"phone": "13812345678/027-85551234"}).phones == (
        "13812345678", "02785551234")
    assert normalise_record({"phone": "无"}).phones == ()


def test_sex_and_birth_columns_fill_in_without_an_id():
    record = normalise_record({"name": "張偉", "sex": "男", "birth_date": "1980年1月2日"})
    assert (record.name, record.sex, record.birth) == ("张伟", "M", "19800102")
