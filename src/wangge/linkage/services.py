"""Linkage in the platform: find the pairs of persons that may be one, merge them (after a
review, or automatically when it is safe), and undo a merge.

Candidates come from the same pure steps as `wangge link` (records.py → blocking → scores →
clusters), run on records built from Person rows. See docs/linkage.md for the rules.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor, user_of
from wangge.foundation.codes import scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import DocumentType
from wangge.organizations.models import Membership
from wangge.people.models import HealthStatus, Household, Person
from wangge.people.services import person_validate
from wangge.places.addresses import building_written

from .linking import DEFAULT_THRESHOLD, SHOWN_COLUMNS, Linkage, explain, link
from .models import MatchCandidate, Merge
from .records import RecordTableBuilder, normalise_record

# Pairs at or above this match probability, but under the upper threshold, wait for review.
REVIEW_THRESHOLD = 0.5
# A person's fields a merge fills on the kept record when it has no value of its own.
FILLED_FIELDS = ("sex", "birth_date", "ethnicity", "phone", "occupation")
# Every field of a person a merge may change, as stored (foreign keys by their column).
MERGED_FIELDS = ("document_type", "id_number", *FILLED_FIELDS, "health_status",
                 "vulnerable_tags", "dwelling_id", "grid_code", "household_id", "relationship",
                 "merged_into_id")
_PERSON_VALUES = ("pk", "name", "document_type", "id_number", "sex", "birth_date", "phone",
                  "dwelling__building__name", "dwelling__building__address", "dwelling__unit",
                  "dwelling__room")


def person_fields(values: dict[str, Any]) -> dict[str, Any]:
    """A person's row (``_PERSON_VALUES``) as the fields of a department list, so it goes
    through the same normalisation as every file (records.normalise_record), its dwelling
    written as the address base knows its building (places.addresses.building_written)."""
    fields = {"name": values["name"], "id_number": values["id_number"], "sex": values["sex"],
              "birth_date": values["birth_date"], "phone": values["phone"]}
    if values["document_type"] != DocumentType.RESIDENT_ID:
        fields["document_type"] = values["document_type"]
    if values["dwelling__building__name"]:
        fields.update(address=building_written(values["dwelling__building__name"],
                                               values["dwelling__building__address"]),
                      unit=str(values["dwelling__unit"]), room=values["dwelling__room"])
    return fields


def persons_linkage(persons: Iterable[dict[str, Any]], *, threshold: float
                    ) -> tuple[Linkage, np.ndarray]:
    """Link persons' rows; returns the linkage and the key of each record."""
    builder, keys = RecordTableBuilder(), []
    for values in persons:
        builder.add(normalise_record(person_fields(values)), source="registry",
                    row=len(keys) + 1)
        keys.append(values["pk"])
    return link(builder.build(), threshold=threshold), np.array(keys, dtype=np.int64)


def evidence_of(linkage: Linkage, left: int, right: int) -> dict[str, Any]:
    """The explanation of one pair, stored with the candidate: per comparison both sides'
    values column by column (so each can be masked as it is shown), the level, m, u and
    weight; then the prior, the total, the probability and the overriding rule."""
    explanation = explain(linkage, left, right)
    table = linkage.table
    rows = []
    for row in explanation.rows:
        columns = SHOWN_COLUMNS[row["comparison"]]
        rows.append({
            **{key: row[key] for key in ("comparison", "level", "m", "u", "weight")},
            "left": {column: table.value(column, left) for column in columns},
            "right": {column: table.value(column, right) for column in columns},
        })
    return {"rows": rows, "prior": round(explanation.prior_weight, 4),
            "total": round(explanation.total, 4), "probability": explanation.probability,
            "rule": explanation.rule_key}


@dataclass
class FindResult:
    persons: int = 0
    pairs: int = 0  # pairs scored at or above the review threshold
    merged: int = 0  # merged automatically
    queued: int = 0  # waiting for review (new or refreshed)
    decided: int = 0  # already accepted or rejected by a person: left alone


@transaction.atomic
def candidates_find(*, scope: str, by: Actor, lower: float = REVIEW_THRESHOLD,
                    upper: float = DEFAULT_THRESHOLD, auto_merge: bool = True) -> FindResult:
    """Score every pair of persons in ``scope`` (a division or grid code) that blocking
    proposes. Pairs linked at ``upper`` or above are merged at once when that is safe (see
    ``merge_refusal``), with the evidence kept as provenance; the rest at ``lower`` or above
    wait in the review queue. A pair a person has decided is never reopened."""
    require(by, Action.REVIEW_MATCHES)
    require_in_scope(by, scope, "scope")
    if not 0 < lower <= upper < 1:
        raise ValidationError({"lower": _("The thresholds are probabilities, the lower not "
                                          "above the upper.")})
    persons = (Person.objects.in_scope([scope_prefix(scope)]).filter(merged_into=None)
               .order_by("pk").values(*_PERSON_VALUES))
    linkage, keys = persons_linkage(persons.iterator(chunk_size=5000), threshold=upper)
    result = FindResult(persons=len(keys))
    probabilities = 1 / (1 + 2.0 ** -np.maximum(linkage.weights, -60))
    found = np.flatnonzero(probabilities >= lower)
    found = found[np.argsort(-linkage.weights[found], kind="stable")]
    result.pairs = len(found)
    pairs = [(int(keys[linkage.first[index]]), int(keys[linkage.second[index]]), int(index))
             for index in found]
    known = {(candidate.left_id, candidate.right_id): candidate
             for candidate in MatchCandidate.objects.filter(
                 left_id__in=[pair[0] for pair in pairs],
                 right_id__in=[pair[1] for pair in pairs])}
    root: dict[int, int] = {}  # a person merged in this run → the record it went into
    for left, right, index in pairs:
        a, b = int(linkage.first[index]), int(linkage.second[index])
        low, high = min(left, right), max(left, right)
        candidate = known.get((low, high))
        if candidate is not None and candidate.status != MatchCandidate.Status.PENDING:
            result.decided += 1
            continue
        if root.get(left) or root.get(right):
            continue  # one side is gone already; the next run sees the merged record
        evidence = evidence_of(linkage, a, b) if a < b else evidence_of(linkage, b, a)
        values = {"probability": float(probabilities[index]),
                  "weight": float(linkage.weights[index]), "evidence": evidence}
        if candidate is None:
            candidate = MatchCandidate.objects.create(left_id=low, right_id=high, **values)
        else:
            MatchCandidate.objects.filter(pk=candidate.pk).update(**values)
        linked = (probabilities[index] >= upper
                  and linkage.clusters[a] == linkage.clusters[b])
        if auto_merge and linked:
            keep, absorbed = kept_and_absorbed(Person.objects.get(pk=low),
                                               Person.objects.get(pk=high))
            if merge_refusal(keep, absorbed, automatic=True) is None:
                person_merge(keep=keep, absorb=absorbed, by=by, candidate=candidate,
                             automatic=True,
                             reason=_("Linked automatically, probability %(probability).4f "
                                      "(link-persons %(scope)s)")
                             % {"probability": probabilities[index], "scope": scope})
                root[absorbed.pk] = keep.pk
                result.merged += 1
                continue
        result.queued += 1
    return result


def kept_and_absorbed(first: Person, second: Person) -> tuple[Person, Person]:
    """Which record to keep by default: the one with a document number, else the older."""
    if bool(first.id_number) != bool(second.id_number):
        return (first, second) if first.id_number else (second, first)
    return (first, second) if first.pk < second.pk else (second, first)


def merge_refusal(keep: Person, absorbed: Person, *, automatic: bool = False) -> str | None:
    """Why these two records may not be merged, or None. Two different resident IDs are
    two people, whatever else agrees. Without a person's review, neither are two birth dates
    or two sexes on record (a reviewer may judge one a typo)."""
    if keep.pk == absorbed.pk:
        return _("A record cannot be merged into itself.")
    if keep.merged_into_id or absorbed.merged_into_id:
        return _("One of these records has already been merged into another.")
    if (keep.id_number and absorbed.id_number and keep.id_number != absorbed.id_number
            and keep.document_type == absorbed.document_type == DocumentType.RESIDENT_ID):
        return _("These records have two different resident IDs: they are two people.")
    for field in ("birth_date", "sex") if automatic else ():
        mine, theirs = getattr(keep, field), getattr(absorbed, field)
        if mine and theirs and mine != theirs:
            return _("These records give two different values for %(field)s.") % {
                "field": Person._meta.get_field(field).verbose_name}
    return None


def _snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The stored values of ``fields``, as JSON keeps them (dates as ISO text)."""
    return {field: (value.isoformat() if isinstance(value, datetime.date) else value)
            for field in fields for value in [getattr(record, field)]}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: [before[field], after[field]] for field in before
            if before[field] != after[field]}


@transaction.atomic
def person_merge(*, keep: Person, absorb: Person, by: Actor, reason: str,
                 candidate: MatchCandidate | None = None, automatic: bool = False) -> Merge:
    """Merge ``absorb`` into ``keep`` (the rules are in docs/linkage.md):

    - the kept record keeps every value it has; where it has none, it takes the absorbed
      record's (document and ID number, sex, birth date, ethnicity, phone, occupation, a
      known health status, the dwelling with its grid); vulnerable groups are joined;
    - household: the absorbed record leaves its household; the kept record takes its place
      (relationship, and headship) when it has no household of its own;
    - organization memberships move to the kept record, except in an organization it
      already belongs to;
    - the absorbed record is marked merged into the kept one and hidden; both keep their
      histories, each with an entry naming the other and the reason.
    """
    require(by, Action.REVIEW_MATCHES)
    reason = stated_reason(reason, _("Say why."))
    keep, absorb = (Person.objects.select_for_update().get(pk=record.pk)
                    for record in (keep, absorb))
    for record, field in ((keep, "keep"), (absorb, "absorb")):
        require_in_scope(by, record.grid_code, field)
    if refusal := merge_refusal(keep, absorb, automatic=automatic):
        raise ValidationError(refusal)
    before = {record.pk: _snapshot(record, MERGED_FIELDS) for record in (keep, absorb)}
    households: dict[int, dict[str, list[Any]]] = {}

    if not keep.id_number and absorb.id_number:
        # The number moves: one record per document, and the absorbed one is hidden.
        keep.document_type, keep.id_number = absorb.document_type, absorb.id_number
        absorb.id_number = ""
    for field in FILLED_FIELDS:
        if not getattr(keep, field) and getattr(absorb, field):
            setattr(keep, field, getattr(absorb, field))
    if keep.health_status == HealthStatus.UNKNOWN:
        keep.health_status = absorb.health_status
    keep.vulnerable_tags = sorted({*keep.vulnerable_tags, *absorb.vulnerable_tags})
    if keep.dwelling_id is None and absorb.dwelling_id is not None:
        keep.dwelling_id, keep.grid_code = absorb.dwelling_id, absorb.grid_code
    if absorb.household_id is not None:
        household = Household.objects.select_for_update().get(pk=absorb.household_id)
        takes_place = keep.household_id is None
        if takes_place:
            keep.household_id, keep.relationship = absorb.household_id, absorb.relationship
        if household.head_id == absorb.pk:
            household.head_id = keep.pk if takes_place else None
            households[household.pk] = {"head_id": [absorb.pk, household.head_id]}
            save_with_history(household, by=by, reason=reason)
        absorb.household_id, absorb.relationship = None, ""
    absorb.merged_into_id = keep.pk

    memberships: dict[int, dict[str, list[Any]]] = {}
    joined = set(Membership.objects.filter(person=keep).values_list("organization_id",
                                                                     flat=True))
    for membership in Membership.objects.filter(person=absorb).exclude(
            organization_id__in=joined):
        membership.person_id = keep.pk
        save_with_history(membership, by=by, reason=reason)
        memberships[membership.pk] = {"person_id": [absorb.pk, keep.pk]}

    save_with_history(absorb, by=by, reason=_("Merged into record %(id)s: %(reason)s")
                      % {"id": keep.pk, "reason": reason})
    try:
        person_validate(keep)
    except ValidationError as error:
        raise ValidationError(_("The merged record would break a rule: %(errors)s")
                              % {"errors": " ".join(error.messages)}) from error
    save_with_history(keep, by=by, reason=_("Record %(id)s merged into this one: %(reason)s")
                      % {"id": absorb.pk, "reason": reason})
    changes = {
        "person": {str(record.pk): _changed(before[record.pk],
                                            _snapshot(record, MERGED_FIELDS))
                   for record in (keep, absorb)},
        "household": {str(pk): change for pk, change in households.items()},
        "membership": {str(pk): change for pk, change in memberships.items()},
    }
    if candidate is not None:
        candidate.status = MatchCandidate.Status.ACCEPTED
        candidate.reviewed_by = None if automatic else user_of(by)
        candidate.reviewed, candidate.review_reason = timezone.now(), reason[:200]
        candidate.save()
    return Merge.objects.create(kept=keep, absorbed=absorb, candidate=candidate,
                                automatic=automatic, by=user_of(by), reason=reason,
                                changes=changes)


_RECORDS = {"person": Person, "household": Household, "membership": Membership}


@transaction.atomic
def person_unmerge(*, merge: Merge, by: Actor, reason: str) -> Merge:
    """Undo a merge: every value it changed, on both persons, the household whose head it
    changed and the memberships it moved, goes back to what it was, unless someone changed
    it after the merge (that later change stays, and is listed in ``kept_as_changed``).
    Both records get a history entry; the pair is marked rejected so that linkage does not
    merge it again."""
    require(by, Action.REVIEW_MATCHES)
    reason = stated_reason(reason, _("Say why."))
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone is not None:
        raise ValidationError(_("This merge has already been undone."))
    kept, absorbed = (Person.objects.select_for_update().get(pk=pk)
                      for pk in (merge.kept_id, merge.absorbed_id))
    for record, field in ((kept, "keep"), (absorbed, "absorb")):
        require_in_scope(by, record.grid_code, field)
    if kept.merged_into_id is not None:
        raise ValidationError(_("The kept record has since been merged into record %(id)s; "
                                "undo that merge first.") % {"id": kept.merged_into_id})
    if absorbed.merged_into_id != kept.pk:
        raise ValidationError(_("The merged record is no longer merged into the kept one."))
    persons = {kept.pk: kept, absorbed.pk: absorbed}
    kept_as_changed = []
    # The kept record is saved first: an ID number it took goes back to the other one.
    order = [("person", kept.pk), ("person", absorbed.pk)] + [
        (kind, int(pk)) for kind in ("household", "membership")
        for pk in merge.changes.get(kind, {})]
    for kind, pk in order:
        changes = merge.changes[kind].get(str(pk), {})
        record = persons.get(pk) if kind == "person" else (
            _RECORDS[kind].objects.select_for_update().get(pk=pk))
        current = _snapshot(record, changes)
        for field, (old, new) in changes.items():
            if current[field] == new:
                setattr(record, field, old)
            else:
                kept_as_changed.append({"record": kind, "id": pk, "field": field})
        if kind == "person":
            record.birth_date = (datetime.date.fromisoformat(record.birth_date)
                                 if isinstance(record.birth_date, str) else record.birth_date)
            if record.pk == absorbed.pk:
                person_validate(record)
            other = absorbed.pk if record.pk == kept.pk else kept.pk
            save_with_history(record, by=by, reason=_("Merge with record %(id)s undone: "
                                                      "%(reason)s")
                              % {"id": other, "reason": reason})
        else:
            save_with_history(record, by=by, reason=reason)
    merge.undone, merge.undone_by = timezone.now(), user_of(by)
    merge.undo_reason = reason[:200]
    merge.kept_as_changed = kept_as_changed
    merge.save()
    if merge.candidate_id is not None:
        MatchCandidate.objects.filter(pk=merge.candidate_id).update(
            status=MatchCandidate.Status.REJECTED, reviewed_by=user_of(by), reviewed=merge.undone,
            review_reason=reason[:200])
    return merge


def _pending(candidate: MatchCandidate) -> MatchCandidate:
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != MatchCandidate.Status.PENDING:
        raise ValidationError(_("This pair has already been decided (%(status)s).")
                              % {"status": candidate.get_status_display()})
    return candidate


@transaction.atomic
def candidate_accept(*, candidate: MatchCandidate, by: Actor, reason: str,
                     keep_id: int | None = None) -> Merge:
    """The two are one person: merge them, into the record ``keep_id`` (one of the two; by
    default the record with a document number, else the older)."""
    require(by, Action.REVIEW_MATCHES)
    candidate = _pending(candidate)
    left, right = candidate.left, candidate.right
    if keep_id is None:
        keep, absorbed = kept_and_absorbed(left, right)
    elif keep_id in (left.pk, right.pk):
        keep, absorbed = (left, right) if keep_id == left.pk else (right, left)
    else:
        raise ValidationError({"keep_id": _("Keep one of the two records of this pair.")})
    return person_merge(keep=keep, absorb=absorbed, by=by, reason=reason, candidate=candidate)


@transaction.atomic
def candidate_reject(*, candidate: MatchCandidate, by: Actor,
                     reason: str) -> MatchCandidate:
    """The two are different people: the pair leaves the queue and is not proposed again."""
    require(by, Action.REVIEW_MATCHES)
    reason = stated_reason(reason, _("Say why."))
    candidate = _pending(candidate)
    for person, field in ((candidate.left, "left"), (candidate.right, "right")):
        require_in_scope(by, person.grid_code, field)
    candidate.status, candidate.reviewed_by = MatchCandidate.Status.REJECTED, user_of(by)
    candidate.reviewed, candidate.review_reason = timezone.now(), reason
    candidate.save()
    return candidate
