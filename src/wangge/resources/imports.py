"""Depots, stocks and shelters as kinds of import: `wangge import depots|stocks|shelters FILE`,
the upload page and `POST /api/v1/imports`, with their template workbooks.

The imports app stands below this one, so these kinds join its table of kinds when the app is
ready (as health's check-ins do). They are record kinds (imports/records.py): the same header
detection, cells, atomicity, rejects workbook and background jobs; each row is checked by
``services.resource_checked`` like a page's form. Owners and depots are named by name among
those the importer sees; a category by name or code; a stock row sets the line's quantity (a
count), it does not add to it.
"""

import decimal
from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.foundation.actors import Actor
from wangge.foundation.permissions import Action
from wangge.imports.cells import bounded, decimal_degrees, tidy, whole_number
from wangge.imports.records import RecordKind, RecordRow
from wangge.imports.rows import Outcome
from wangge.imports.services import KINDS
from wangge.imports.templates import NOTES
from wangge.places.addresses import AddressBase
from wangge.spreadsheets import FACILITY_HEADERS, ORGANIZATION_HEADERS, cell_date

from .models import Depot, Material, MaterialCategory, Shelter
from .services import PLACEMENT_FIELDS, organizations_seen_by, resource_checked

LOCATION = {name: FACILITY_HEADERS[name]
            for name in ("address", "longitude", "latitude", "grid_code")}
CONTACT = {name: ORGANIZATION_HEADERS[name] for name in ("contact_name", "contact_phone")}
OWNER = ("所属单位", "权属单位", "管理单位", "责任单位", "owner")

DEPOT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("储备点名称", "储备库名称", "仓库名称", "名称", "name", "depot"),
    **LOCATION, "owner": OWNER, **CONTACT,
}
STOCK_HEADERS: dict[str, tuple[str, ...]] = {
    "depot": ("储备点", "储备点名称", "仓库", "仓库名称", "存放地点", "depot"),
    "category": ("物资类别", "类别", "物资分类", "分类", "category"),
    "item": ("物资名称", "品名", "名称", "item"),
    "quantity": ("数量", "库存数量", "库存", "现有数量", "quantity"),
    "unit": ("单位", "计量单位", "unit"),
    "expires_on": ("有效期至", "有效期", "失效日期", "过期日期", "保质期至", "expiry date",
                   "expires on"),
    "owner": OWNER,
    "low_stock_threshold": ("预警数量", "库存下限", "最低库存", "low-stock threshold",
                            "threshold"),
}
SHELTER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("避难场所名称", "场所名称", "名称", "name", "shelter"),
    **LOCATION,
    "capacity": ("可容纳人数", "容纳人数", "容量", "capacity"),
    "occupancy": ("已安置人数", "现有人数", "当前人数", "occupancy"),
    "drinking_water": ("饮用水", "供水", "drinking water"),
    "power": ("电力", "供电", "power"),
    "lighting": ("照明", "lighting"),
    "toilets": ("厕所", "卫生间", "toilets"),
    "step_free": ("无障碍", "无障碍通道", "无障碍设施", "step-free access"),
    "owner": OWNER, **CONTACT,
}
FLAGS = ("drinking_water", "power", "lighting", "toilets", "step_free")


class YesNo(models.TextChoices):
    """A shelter's facilities, as its list says them (a drop-down in the template)."""

    YES = "yes", gettext_lazy("Yes")
    NO = "no", gettext_lazy("No")


YES_NO_WORDS: dict[str, str] = {
    **dict.fromkeys(("是", "有", "√", "✓", "y", "true", "1"), YesNo.YES),
    **dict.fromkeys(("否", "无", "没有", "×", "✗", "n", "false", "0"), YesNo.NO),
}


def quantity(text: str) -> decimal.Decimal:
    try:
        number = decimal.Decimal(tidy(text).replace(",", ""))
    except decimal.InvalidOperation:
        raise ValidationError(_("%(value)s is not a number.") % {"value": text}) from None
    if not number.is_finite() or number < 0 or number != round(number, 2) \
            or number >= 10**12:
        raise ValidationError(_("%(value)s is not a quantity: zero or more, at most two "
                                "decimals.") % {"value": text})
    return number


class ResourceImportKind(RecordKind):
    """A kind of the resource database imported row by row and checked by the services."""

    required_columns: ClassVar[tuple[str, ...]]

    def __init__(self, user: Actor):
        super().__init__(user)
        self._found: dict[tuple[str, str], Any] = {}
        self._code: str | None = None

    def _named(self, what: str, records: QuerySet, text: str) -> Any:
        """The one record of ``records`` (those the importer sees) called ``text``."""
        if (what, text) not in self._found:
            found = list(records[:2])
            if len(found) != 1:
                message = (_("More than one %(what)s is called %(name)s in your "
                             "jurisdiction.") if found
                           else _("No %(what)s called %(name)s in your jurisdiction."))
                raise ValidationError(message % {"what": what, "name": text})
            self._found[what, text] = found[0]
        return self._found[what, text]

    def cell(self, name: str, value: Any, text: str) -> Any:
        if name in ("longitude", "latitude"):
            return decimal_degrees(value)
        if name in ("capacity", "occupancy"):
            return whole_number(value, least=0)
        if name in ("quantity", "low_stock_threshold"):
            return quantity(text)
        if name == "expires_on":
            return cell_date(value)
        if name == "grid_code":
            return tidy(text).replace(" ", "")
        if name == "owner":
            text = tidy(text)
            return self._named(_("organization"), organizations_seen_by(by=self.user).filter(
                name=text), text)
        return bounded(tidy(text), self.model, name)

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        if "owner" in fields:
            fields["owner_id"] = fields.pop("owner").pk
        for name in FLAGS:
            if name in fields:
                fields[name] = fields[name] == YesNo.YES
        return {"grid_code": fields.pop("grid_code", None)}

    def land(self, prepared: RecordRow, *, reason: str) -> Outcome:
        self._code = prepared.extra.get("grid_code")
        return super().land(prepared, reason=reason)

    @cached_property
    def addresses(self) -> AddressBase:
        """The importer's address base, loaded once for the file when a row places a record
        by its address alone."""
        return AddressBase(list(self.prefixes))

    def check(self, record: Any, *, created: bool, before: dict[str, Any]) -> None:
        moved = self._code is not None and self._code != record.grid_code
        by_address = self._code is None and getattr(record, "longitude", None) is None
        resource_checked(record, by=self.user, grid_code=self._code,
                         place=created or moved or bool(PLACEMENT_FIELDS & before.keys()),
                         addresses=self.addresses if by_address else None)


class NamedPlaceKind(ResourceImportKind):
    """A depot or a shelter is known by its name and address."""

    key_column = "name"

    def key(self, fields: dict[str, Any]) -> tuple:
        return (fields["name"], fields["address"])

    def find(self, key: tuple) -> Any:
        return self.model._default_manager.filter(name=key[0], address=key[1]).first()


class DepotImportKind(NamedPlaceKind):

    name = "depots"
    model = Depot
    headers = DEPOT_HEADERS
    required_columns = ("name", "address", "owner")
    example = {"name": "示例储备点", "address": "示例路3号", "grid_code": "420102001001001",
               "longitude": "114.305", "latitude": "30.593", "owner": "示例社区居委会",
               "contact_name": "李强", "contact_phone": "13800138000"}


class ShelterImportKind(NamedPlaceKind):

    name = "shelters"
    model = Shelter
    headers = SHELTER_HEADERS
    required_columns = ("name", "address", "capacity")
    choices = dict.fromkeys(FLAGS, (YesNo, YES_NO_WORDS))
    example = {"name": "示例小学避难场所", "address": "示例路5号", "grid_code": "420102001001001",
               "capacity": "300", "occupancy": "0", "drinking_water": YesNo.YES,
               "power": YesNo.YES, "lighting": YesNo.YES, "toilets": YesNo.YES,
               "step_free": YesNo.NO}


class StockImportKind(ResourceImportKind):
    """A stock line is known by its depot, item, unit and expiry date; the row's quantity is
    what the depot holds now."""

    name = "stocks"
    model = Material
    headers = STOCK_HEADERS
    required_columns = ("depot", "category", "item", "quantity", "unit")
    key_column = "item"
    example = {"depot": "示例储备点", "category": "饮用水", "item": "瓶装水（550毫升）",
               "quantity": "120", "unit": "箱", "expires_on": "2026-12-31",
               "low_stock_threshold": "20"}
    duplicate = gettext_lazy("The same depot, item, unit and expiry date as row %(row)d: one "
                             "row per stock line.")

    def cell(self, name: str, value: Any, text: str) -> Any:
        text = tidy(text)
        if name == "depot":
            return self._named(_("depot"), Depot.objects.in_scope(self.prefixes).filter(
                name=text), text)
        if name == "category":
            return self._named(_("category"), MaterialCategory.objects.filter(
                Q(name=text) | Q(code=text.lower())), text)
        return super().cell(name, value, text)

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        fields["depot_id"] = fields.pop("depot").pk
        fields["category_id"] = fields.pop("category").pk
        fields.setdefault("expires_on", None)
        return super().complete(fields)

    def key(self, fields: dict[str, Any]) -> tuple:
        return (fields["depot_id"], fields["item"], fields["unit"], fields["expires_on"])

    def find(self, key: tuple) -> Material | None:
        depot_id, item, unit, expires_on = key
        return Material.objects.filter(depot_id=depot_id, item=item, unit=unit,
                                       expires_on=expires_on).first()


def register_import_kinds() -> None:
    """Add the kinds to the imports' table (and their columns' notes to the templates')."""
    for kind in (DepotImportKind, StockImportKind, ShelterImportKind):
        KINDS[kind.name] = (kind, Action.EDIT_RESOURCES)
    NOTES.update({
        "owner": gettext_lazy("The owning organization's name, as registered."),
        "depot": gettext_lazy("The depot's name, as registered (import the depots first)."),
        "category": gettext_lazy("One of the material categories, by name or code."),
        "item": gettext_lazy("What it is, such as 瓶装水（550毫升）."),
        "quantity": gettext_lazy("What the depot holds now (not what was added)."),
        "unit": gettext_lazy("Such as 箱, 件 or 顶."),
        "expires_on": gettext_lazy("Such as 2026-12-31; empty when it does not expire."),
        "low_stock_threshold": gettext_lazy("Its owner is told when the quantity is at or "
                                            "below it."),
        "occupancy": gettext_lazy("How many people are there now."),
        **dict.fromkeys(FLAGS, gettext_lazy("Yes (是, 有) or no (否, 无).")),
    })
