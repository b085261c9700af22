"""Importing organizations with the grids they serve."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.divisions.models import Division, Grid
from wangge.foundation.codes import level_of
from wangge.foundation.permissions import require_in_scope
from wangge.normalisers import normalise_credit_code, normalise_phone
from wangge.organizations.models import Organization, OrganizationKind
from wangge.organizations.services import organization_serve
from wangge.spreadsheets import ORGANIZATION_HEADERS

from .cells import bounded, code_list, tidy
from .records import RecordKind, RecordRow

ORGANIZATION_WORDS = {
    "党组织": OrganizationKind.PARTY, "党支部": OrganizationKind.PARTY,
    "党委": OrganizationKind.PARTY, "党总支": OrganizationKind.PARTY,
    "物业": OrganizationKind.PROPERTY_COMPANY, "物业公司": OrganizationKind.PROPERTY_COMPANY,
    "物业服务企业": OrganizationKind.PROPERTY_COMPANY,
    "社会组织": OrganizationKind.SOCIAL, "社团": OrganizationKind.SOCIAL,
    "志愿者队伍": OrganizationKind.VOLUNTEER_TEAM, "志愿服务队": OrganizationKind.VOLUNTEER_TEAM,
    "志愿队": OrganizationKind.VOLUNTEER_TEAM,
    "企业": OrganizationKind.ENTERPRISE, "公司": OrganizationKind.ENTERPRISE,
    "个体工商户": OrganizationKind.ENTERPRISE,
    "政府部门": OrganizationKind.DEPARTMENT, "部门": OrganizationKind.DEPARTMENT,
    "机关": OrganizationKind.DEPARTMENT,
}


class OrganizationImportKind(RecordKind):
    """An organization is known by its unified social credit code, or, without one, by its
    name in its division or grid."""

    name = "organizations"
    model = Organization
    headers = ORGANIZATION_HEADERS
    required_columns = ("name", "kind", "grid_code")
    key_column = "name"
    choices = {"kind": (OrganizationKind, ORGANIZATION_WORDS)}
    example = {"name": "示例物业服务有限公司", "kind": OrganizationKind.PROPERTY_COMPANY,
               "credit_code": "91420102MA4KXXXX0X", "grid_code": "420102001001",
               "served_grid_codes": "420102001001001、420102001001002", "contact_name": "李四",
               "contact_phone": "13900139000"}

    def __init__(self, user: Any):
        super().__init__(user)
        self._codes: dict[str, bool] = {}

    def cell(self, name: str, value: Any, text: str) -> Any:
        if name == "credit_code":
            return normalise_credit_code(text)
        if name == "contact_phone":
            return normalise_phone(text)
        if name == "grid_code":
            return self._known(tidy(text).replace(" ", ""))
        if name == "served_grid_codes":
            codes = code_list(text)
            for code in codes:
                if len(code) != 15:
                    raise ValidationError(_("No grid has the code %(code)s.") % {"code": code})
                self._known(code)
            return codes
        return bounded(tidy(text), Organization, name)

    def _known(self, code: str) -> str:
        if code not in self._codes:
            level_of(code)
            model = Grid if len(code) == 15 else Division
            self._codes[code] = model.objects.filter(code=code).exists()
        if not self._codes[code]:
            raise ValidationError(_("No division or grid has the code %(code)s.")
                                  % {"code": code})
        return code

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        if fields["kind"] == OrganizationKind.ENTERPRISE and not fields.get("credit_code"):
            raise ValidationError({"credit_code": _(
                "An enterprise needs its unified social credit code.")})
        require_in_scope(self.user, fields["grid_code"])
        served = fields.pop("served_grid_codes", [])
        for code in served:
            require_in_scope(self.user, code, "served_grid_codes")
        return {"served": served}

    def key(self, fields: dict[str, Any]) -> tuple:
        if fields.get("credit_code"):
            return ("credit_code", fields["credit_code"])
        return ("name", fields["name"], fields["grid_code"])

    def find(self, key: tuple) -> Organization | None:
        if key[0] == "credit_code":
            found = Organization.objects.filter(credit_code=key[1])
        else:
            found = Organization.objects.filter(credit_code="", name=key[1], grid_code=key[2])
        return found.order_by("pk").first()

    def pending(self, record: Any, prepared: RecordRow) -> bool:
        return bool(self._unserved(record, prepared))

    def after(self, record: Any, prepared: RecordRow, *, reason: str) -> None:
        """Served grids are added, never removed: another file may name others."""
        if codes := self._unserved(record, prepared):
            organization_serve(organization=record, grid_codes=codes, by=self.user,
                               reason=reason)

    @staticmethod
    def _unserved(record: Organization, prepared: RecordRow) -> list[str]:
        if record.pk is None:
            return list(prepared.extra["served"])
        served = set(record.served_grids.values_list("grid_code", flat=True))
        return [code for code in prepared.extra["served"] if code not in served]
