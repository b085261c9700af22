"""Reads of linkage's pairs and merges: a reviewer sees a pair or a merge only when both
persons are in their jurisdiction (anything else is 404, like a record that does not exist),
and sees the evidence masked as the persons themselves would be."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Action, SensitiveField, can, shown
from wangge.organizations.models import Membership
from wangge.people.models import Household, Person
from wangge.people.selectors import household_name

from .linking import RULES
from .models import MatchCandidate, Merge

# The record columns of the evidence that hold sensitive values.
_SENSITIVE_COLUMNS = {"id_text": SensitiveField.ID_NUMBER, "birth": SensitiveField.BIRTH_DATE,
                      "phone1": SensitiveField.PHONE, "phone2": SensitiveField.PHONE}
COMPARISON_LABELS = {"id": _("ID number"), "name": _("Name"), "birth": _("Birth date"),
                     "sex": _("Sex"), "home": _("Home and phone")}
LEVEL_LABELS = {
    "exact": _("exact"), "one typo apart": _("one typo apart"), "different": _("different"),
    "same pinyin": _("same pinyin"), "same fuzzy pinyin": _("same fuzzy pinyin"),
    "similar pinyin": _("similar pinyin"), "one part differs": _("one part differs"),
    "same": _("same"), "same address and phone": _("same address and phone"),
    "same address": _("same address"), "same phone": _("same phone"),
    "same flat number, compound unknown": _("same flat number, compound unknown"),
    "—": _("not compared"),
}


def _both_in_scope(user: User, *fields: str) -> Q:
    condition = Q()
    for field in fields:
        either = Q(pk__in=[])
        for prefix in user.scope_prefixes:
            if prefix == "":
                either = Q()
                break
            either |= prefix_range(field, prefix)
        condition &= either
    return condition


def candidates_visible_to(user: User) -> QuerySet[MatchCandidate]:
    """Every pair (any status) whose two persons are both in the user's jurisdiction."""
    if not can(user, Action.REVIEW_MATCHES):
        return MatchCandidate.objects.none()
    return (MatchCandidate.objects
            .filter(_both_in_scope(user, "left__grid_code", "right__grid_code"))
            .select_related("left", "right", "reviewed_by"))


def candidates_pending(user: User) -> QuerySet[MatchCandidate]:
    """The review queue: pending pairs of two persons neither of whom is merged."""
    return candidates_visible_to(user).filter(status=MatchCandidate.Status.PENDING,
                                              left__merged_into=None, right__merged_into=None)


def merges_visible_to(user: User) -> QuerySet[Merge]:
    if not can(user, Action.REVIEW_MATCHES):
        return Merge.objects.none()
    return (Merge.objects.filter(_both_in_scope(user, "kept__grid_code", "absorbed__grid_code"))
            .select_related("kept", "absorbed", "by", "undone_by", "candidate"))


def evidence_shown(user: User, candidate: MatchCandidate, *, revealed: bool) -> dict[str, Any]:
    """The candidate's evidence for ``user``: sensitive values masked as everywhere else
    (the full ID and birth date only once ``revealed``), labels in the user's language."""
    evidence = candidate.evidence
    rows = []
    for row in evidence.get("rows", []):
        sides = {side: " ".join(str(_shown_value(user, column, value, revealed=revealed))
                                for column, value in row[side].items() if value)
                 for side in ("left", "right")}
        rows.append({**row, **sides,
                     "label": COMPARISON_LABELS.get(row["comparison"], row["comparison"]),
                     "level_label": LEVEL_LABELS.get(row["level"], row["level"])})
    return {"rows": rows, "prior": evidence.get("prior"), "total": evidence.get("total"),
            "probability": evidence.get("probability", candidate.probability),
            "rule": RULES.get(evidence.get("rule", ""), "")}


def _shown_value(user: User, column: str, value: Any, *, revealed: bool) -> Any:
    field = _SENSITIVE_COLUMNS.get(column)
    return value if field is None else shown(user, field, value, revealed=revealed)


def merge_changes_shown(user: User, merge: Merge, *, revealed: bool) -> dict[str, Any]:
    """What the merge changed (kind → key → ``{field: [before, after]}``), a person's
    sensitive values masked as on the person (the full ID and birth date only once
    ``revealed``)."""
    sensitive = {field.value: field for field in SensitiveField}
    shown_changes = dict(merge.changes)
    shown_changes["person"] = {
        key: {name: [value if name not in sensitive
                     else shown(user, sensitive[name], value, revealed=revealed)
                     for value in values]
              for name, values in fields.items()}
        for key, fields in merge.changes.get("person", {}).items()}
    return shown_changes


_RECORD_MODELS = {"person": Person, "household": Household, "membership": Membership}
# A person's fields shown side by side, in the order a reviewer compares them.
_FACTS = ("name", "id_number", "sex", "birth_date", "phone", "dwelling", "household",
          "relationship", "ethnicity", "occupation", "residence_type", "health_status",
          "vulnerable_tags")


def pair_facts(user: User, left: Person, right: Person) -> list[dict[str, Any]]:
    """The two persons' fields side by side, sensitive ones as ``user`` may see them (shown
    through the ``person_value`` filter); each row says whether the stored values differ."""
    sensitive = {field.value: field for field in SensitiveField}
    rows = []
    for name in _FACTS:
        field = Person._meta.get_field(name)
        values = []
        for person in (left, right):
            value = getattr(person, name)
            if name == "household" and value is not None:
                value = household_name(value)  # by its head, as everywhere people read it
            values.append(shown(user, sensitive[name], value) if name in sensitive else value)
        # The model's "name" label is shared with places; for a person it is 姓名.
        label = _("Full name") if name == "name" else field.verbose_name
        rows.append({"field": name, "label": label, "left": values[0],
                     "right": values[1],
                     "differ": getattr(left, field.attname) != getattr(right, field.attname)})
    return rows


def kept_as_changed_labels(merge: Merge) -> list[str]:
    """The fields an undo left as they were (changed after the merge), by their names."""
    return sorted({str(_RECORD_MODELS[item["record"]]._meta.get_field(item["field"])
                       .verbose_name) for item in merge.kept_as_changed})
