"""Column headers as departments write them, matched to our field names.

Each kind of record has a table of synonyms (Chinese and English); docs/imports.md lists them.
A header is compared after folding width and case, dropping spaces, marks such as ``*`` and
anything in brackets (``身份证号（必填）`` is ``身份证号``).
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wangge.normalisers.text import fold_width

PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "人员姓名", "name", "full name"),
    "document_type": ("证件类型", "document type"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证",
                  "id number", "resident id", "id card"),
    "sex": ("性别", "sex", "gender"),
    "birth_date": ("出生日期", "出生年月日", "生日", "birth date", "date of birth", "birthday"),
    "ethnicity": ("民族", "ethnicity", "ethnic group"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "phone", "mobile",
              "telephone"),
    "address": ("住址", "地址", "现住址", "居住地址", "家庭住址", "address"),
    "grid_code": ("网格编码", "网格代码", "网格编号", "grid code", "grid"),
    "residence_type": ("人口类型", "居住类型", "户籍类型", "residence type"),
    "occupation": ("职业", "occupation"),
    "health_status": ("健康状况", "健康状态", "health status"),
    "vulnerable_tags": ("特殊群体", "困难群体", "人群标签", "vulnerable groups"),
    "household_number": ("户号", "户编号", "household number", "household"),
    "relationship": ("与户主关系", "家庭关系", "relationship"),
    "building": ("楼栋", "楼栋名称", "楼号", "楼栋号", "building"),
    "unit": ("单元", "单元号", "unit"),
    "floor": ("楼层", "层", "所在楼层", "floor"),
    "room": ("房号", "房间号", "门牌号", "室", "room"),
}

# Where a place is: a grid code (or, for a place no grid contains, its division's code) and
# a point in WGS 84.
_LOCATION: dict[str, tuple[str, ...]] = {
    "address": ("地址", "详细地址", "楼栋地址", "所在地址", "住所", "address"),
    "grid_code": ("网格编码", "网格代码", "网格编号", "所属网格", "区划代码", "社区编码",
                  "grid code", "grid", "division code"),
    "longitude": ("经度", "longitude", "lon", "lng"),
    "latitude": ("纬度", "latitude", "lat"),
}

BUILDING_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("楼栋名称", "楼栋", "楼号", "楼栋号", "名称", "building", "name"),
    **_LOCATION,
    "units": ("单元数", "单元数量", "units"),
    "floors": ("楼层数", "层数", "总层数", "floors"),
}

DWELLING_HEADERS: dict[str, tuple[str, ...]] = {
    "building": ("楼栋", "楼栋名称", "楼号", "楼栋号", "楼栋地址", "地址", "building",
                 "building address", "address"),
    "grid_code": _LOCATION["grid_code"],
    "unit": ("单元", "单元号", "unit"),
    "floor": ("楼层", "层", "所在楼层", "floor"),
    "room": ("房号", "房间号", "门牌号", "室", "room"),
}

FACILITY_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("设施名称", "名称", "场所名称", "name", "facility"),
    "kind": ("设施类型", "类型", "类别", "场所类型", "kind", "type"),
    **_LOCATION,
    "capacity": ("容量", "容纳人数", "床位数", "capacity"),
}

ORGANIZATION_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("组织名称", "单位名称", "企业名称", "名称", "name", "organization"),
    "kind": ("组织类型", "单位类型", "类型", "类别", "kind", "type"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "credit code",
                    "unified social credit code", "uscc"),
    "grid_code": ("所属网格", "网格编码", "网格代码", "区划代码", "所属社区", "社区编码",
                  "grid code", "division code", "grid"),
    "served_grid_codes": ("服务网格", "服务网格编码", "联系网格", "served grids"),
    "contact_name": ("联系人", "负责人", "contact", "contact name"),
    "contact_phone": ("联系电话", "电话", "手机", "手机号", "contact phone", "phone"),
}

_BRACKETED = re.compile(r"[(\[【{<].*?[)\]】}>]")
_MARKS = re.compile(r"[\s_\-*#:：.。/\\]")


def header_key(text: str) -> str:
    """The comparable form of a header cell."""
    folded = fold_width(str(text)).lower() if text else ""
    return _MARKS.sub("", _BRACKETED.sub("", folded))


def usual_header(synonyms: Mapping[str, tuple[str, ...]], field: str,
                 language: str | None = None) -> str:
    """How a field's column is usually headed: its first Chinese synonym, or in English (for
    ``language`` en, by default the active language) its first English one, capitalised."""
    names = synonyms[field]
    if not (language or get_language() or "zh").startswith("zh"):
        english = next((name for name in names if name.isascii()), field)
        return english[:1].upper() + english[1:]
    return names[0]


class ColumnNames:
    """What a person reading about a file calls each field: the header of its column as
    written in the file (``楼栋号``, ``＊姓 名``), or, for a field the file has no column for, its
    usual header. Messages name columns this way, never by our field names."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]], headers: list[str],
                 columns: Mapping[str, int]):
        self._synonyms = synonyms
        self._written = {field: headers[index] for field, index in columns.items()}

    def __getitem__(self, field: str) -> str:
        """The column's name; empty for what concerns the row as a whole (``__all__``)."""
        if field in self._written:
            return self._written[field]
        return usual_header(self._synonyms, field) if field in self._synonyms else ""


class HeaderMap:
    """Which column holds which field, from a kind's synonyms and a person's overrides
    (``--map 列名=field``)."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]],
                 overrides: Mapping[str, str] | None = None):
        self.synonyms = synonyms
        self.fields = list(synonyms)
        self._by_key = {header_key(name): field
                        for field, names in synonyms.items() for name in (field, *names)}
        for header, field in (overrides or {}).items():
            if field not in synonyms:
                raise ValidationError(
                    _("--map %(header)s=%(field)s: there is no field %(field)s; the fields are "
                      "%(fields)s."),
                    code="unknown_field",
                    params={"header": header, "field": field, "fields": ", ".join(synonyms)},
                )
            self._by_key[header_key(header)] = field

    def is_header(self, text: str) -> bool:
        return header_key(text) in self._by_key

    def columns(self, headers: list[str]) -> dict[str, int]:
        """Field → column index. Two columns for one field is refused: which to trust?"""
        columns: dict[str, int] = {}
        for index, header in enumerate(headers):
            field = self._by_key.get(header_key(header))
            if field is None:
                continue
            if field in columns:
                raise ValidationError(
                    _("Columns %(first)s and %(second)s hold the same thing (%(field)s); keep "
                      "one of them."),
                    code="duplicate_column",
                    params={"first": headers[columns[field]], "second": header,
                            "field": usual_header(self.synonyms, field)},
                )
            columns[field] = index
        return columns
