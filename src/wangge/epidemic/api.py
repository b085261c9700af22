"""API of cases and exposures: cases (list, get, record, PATCH), their tests, contacts,
tracing and chain of transmission; venues and their visits (in bulk).

A case's status, dates and test results are health data: answered as ``***`` to roles that
see health status masked; answered unmasked, the read is logged first (with ``X-Purpose``, or
the purpose of epidemic prevention), and not answered unlogged (503).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.foundation.api_support import (
    PURPOSE_ANSWERS,
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    changes,
    referenced,
    stated_purpose,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.people.selectors import persons_visible_to
from wangge.places.selectors import enterprises_visible_to, facilities_visible_to

from .models import (
    Case,
    CaseSource,
    CaseStatus,
    CaseTest,
    Exposure,
    ExposureDegree,
    ExposureKind,
    TestKind,
    Venue,
)
from .selectors import (
    Chain,
    Node,
    case_shown,
    case_test_shown,
    cases_visible_to,
    exposures_visible_to,
    sees_health,
    transmission_chain,
    venues_visible_to,
    visits_visible_to,
)
from .services import (
    MAX_VISITS,
    Visit,
    case_record,
    case_test_add,
    case_update,
    exposure_add,
    exposures_trace,
    venue_create,
    visits_record,
)

router = Router(tags=["epidemic"])
VIEW, RECORD = Action.VIEW_CASES, Action.RECORD_CASES
MASKED = "*** for a role that sees health status masked"


def _logged(request: HttpRequest, person_ids: list[int], kind: Kind, target: str) -> None:
    """A read of health data shown unmasked: logged before it is answered."""
    user = caller(request)
    if person_ids and sees_health(user):
        access_record(by=user, kind=kind, request=request, fields=["health_status"],
                      record_ids=person_ids, target=target, required=True,
                      purpose=stated_purpose(request) or purpose_text(Purpose.HEALTH))


# --- cases ------------------------------------------------------------------------------

class CaseOut(Schema):
    id: int
    person_id: int
    name: str
    grid_code: str
    status: str = Field(description=f"A CaseStatus; {MASKED}")
    source: CaseSource
    source_detail: str
    onset_on: datetime.date | str | None = Field(description=MASKED)
    reported_on: datetime.date
    confirmed_on: datetime.date | str | None = Field(description=MASKED)
    ended_on: datetime.date | str | None = Field(description=MASKED)
    source_case_id: int | None = Field(description="The case it was caught from")


def _case_out(user: User, case: Case) -> dict[str, Any]:
    shown = case_shown(user, case)
    shown.pop("status_label")
    return {"id": case.pk, "person_id": case.person_id, "name": case.person.name,
            "grid_code": case.grid_code, "source": case.source,
            "source_detail": case.source_detail, "reported_on": case.reported_on,
            "source_case_id": case.source_case_id, **shown}


class CaseFilter(CodeFilter):
    status: CaseStatus | None = Field(None, description="Only for roles that see it unmasked")
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None

    def cases(self, request: HttpRequest) -> QuerySet:
        cases = self.narrow(visible(request, cases_visible_to, VIEW)).select_related("person")
        if self.status is not None:
            if not sees_health(caller(request)):
                raise ValidationError({"status": _("Your role sees the status masked, so it "
                                                   "cannot filter by it.")})
            cases = cases.filter(status=self.status)
        if self.reported_from:
            cases = cases.filter(reported_on__gte=self.reported_from)
        if self.reported_to:
            cases = cases.filter(reported_on__lte=self.reported_to)
        return cases


class CasePages(Pages):
    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        cases = list(page["items"])
        _logged(request, [case.person_id for case in cases], Kind.LIST, "cases")
        page["items"] = [_case_out(caller(request), case) for case in cases]
        return page


@router.get("/cases", response=list[CaseOut], openapi_extra=PURPOSE_ANSWERS)
@paginate(CasePages)
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> QuerySet:
    """Cases in the jurisdiction, latest report first; ``code`` narrows to a grid or
    division, ``status`` and the report dates filter."""
    return filters.cases(request)


def _case(request: HttpRequest, id: int) -> Case:
    return visible_one(request, lambda user: cases_visible_to(user).select_related("person"),
                       VIEW, pk=id)


@router.get("/cases/{id}", response=CaseOut, openapi_extra=PURPOSE_ANSWERS)
def case_get(request: HttpRequest, id: RecordId) -> dict:
    case = _case(request, id)
    _logged(request, [case.person_id], Kind.VIEW, "case")
    return _case_out(caller(request), case)


class CaseIn(Schema):
    person_id: RecordId
    status: CaseStatus
    source: CaseSource
    source_detail: str = Field("", max_length=100)
    reported_on: datetime.date
    onset_on: datetime.date | None = None
    confirmed_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    source_case_id: RecordId | None = None
    reason: str = Field("", max_length=200)


@router.post("/cases", response={201: CaseOut})
def case_post(request: HttpRequest, payload: CaseIn) -> dict:
    """Record a case of a person in the jurisdiction (one open case per person)."""
    by = acting(request, RECORD)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    source_case = referenced(request, cases_visible_to, VIEW, field="source_case_id",
                             pk=payload.source_case_id)
    data = payload.model_dump(exclude={"person_id", "source_case_id"})
    case = case_record(person=person, source_case=source_case, by=by, **data)
    return _case_out(by, case)


class CasePatch(Schema):
    status: CaseStatus | None = None
    source: CaseSource | None = None
    source_detail: str | None = Field(None, max_length=100)
    reported_on: datetime.date | None = None
    onset_on: datetime.date | None = None
    confirmed_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    source_case_id: RecordId | None = None
    reason: str = Field(min_length=1, max_length=200)


@router.patch("/cases/{id}", response=CaseOut)
def case_patch(request: HttpRequest, id: RecordId, payload: CasePatch) -> dict:
    """Move a case on (its status only as the rules allow, with the dates each needs), with
    a reason; a field sent as null is cleared."""
    case = _case(request, id)
    by = acting(request, RECORD)
    sent = changes(payload, Case, "source_case_id")
    if "source_case_id" in payload.model_fields_set:
        sent["source_case"] = referenced(request, cases_visible_to, VIEW,
                                         field="source_case_id", pk=payload.source_case_id)
    updated = case_update(case=case, by=by, reason=payload.reason, **sent)
    return _case_out(by, updated)


class TestOut(Schema):
    id: int
    kind: TestKind
    taken_on: datetime.date
    positive: bool | str = Field(description=MASKED)
    laboratory: str


class TestIn(Schema):
    kind: TestKind
    taken_on: datetime.date
    positive: bool
    laboratory: str = Field("", max_length=100)


def _test_out(user: User, test: CaseTest) -> dict[str, Any]:
    return {"id": test.pk, "kind": test.kind, "taken_on": test.taken_on,
            "laboratory": test.laboratory, "positive": case_test_shown(user, test)["positive"]}


@router.get("/cases/{id}/tests", response=list[TestOut], openapi_extra=PURPOSE_ANSWERS)
def test_list(request: HttpRequest, id: RecordId) -> list[dict]:
    case = _case(request, id)
    tests = list(case.tests.all()[:200])
    _logged(request, [case.person_id] if tests else [], Kind.VIEW, "case tests")
    return [_test_out(caller(request), test) for test in tests]


@router.post("/cases/{id}/tests", response={201: TestOut})
def test_post(request: HttpRequest, id: RecordId, payload: TestIn) -> dict:
    case = _case(request, id)
    by = acting(request, RECORD)
    return _test_out(by, case_test_add(case=case, by=by, **payload.model_dump()))


# --- exposures and the chain ------------------------------------------------------------

class ExposureOut(Schema):
    id: int
    case_id: int
    person_id: int
    name: str
    grid_code: str
    degree: ExposureDegree
    kind: ExposureKind
    via_id: int | None = Field(description="The close contact a secondary one came through")
    visit_id: int | None
    last_contact_on: datetime.date
    note: str

    @staticmethod
    def resolve_name(exposure: Exposure) -> str:
        return exposure.person.name


@router.get("/cases/{id}/exposures", response=list[ExposureOut])
@paginate(Pages)
def exposure_list(request: HttpRequest, id: RecordId) -> QuerySet:
    """The contacts of a case filed in the caller's jurisdiction (the contact's grid)."""
    case = _case(request, id)
    return (exposures_visible_to(caller(request)).filter(case=case).select_related("person")
            .order_by("degree", "person__name", "pk"))


class ExposureIn(Schema):
    person_id: RecordId
    last_contact_on: datetime.date
    note: str = Field("", max_length=200)


@router.post("/cases/{id}/exposures", response={201: ExposureOut})
def exposure_post(request: HttpRequest, id: RecordId, payload: ExposureIn
                  ) -> Exposure:
    """List a close contact (a person in the jurisdiction)."""
    case = _case(request, id)
    by = acting(request, RECORD)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    return exposure_add(case=case, person=person, by=by,
                             last_contact_on=payload.last_contact_on, note=payload.note)


class TraceOut(Schema):
    start: datetime.date = Field(description="The infectious period's first day")
    end: datetime.date
    added: int
    changed: int
    close: int
    secondary: int
    truncated: bool


@router.post("/cases/{id}/trace", response=TraceOut)
def trace_post(request: HttpRequest, id: RecordId) -> Any:
    """Find and record the case's contacts (household, building, shared venue windows, and
    the households of close contacts); tracing again adds only what is new."""
    case = _case(request, id)
    return exposures_trace(case=case, by=acting(request, RECORD))


class ChainContactOut(Schema):
    exposure_id: int
    person_id: int
    name: str
    degree: ExposureDegree
    kind: ExposureKind
    last_contact_on: datetime.date
    secondary: list["ChainContactOut"]


class ChainNodeOut(Schema):
    case_id: int
    person_id: int
    name: str
    reported_on: datetime.date
    contacts: list[ChainContactOut]
    hidden_contacts: int = Field(description="Contacts outside the caller's jurisdiction")
    onward: list["ChainNodeOut"]
    hidden_onward: int = Field(description="Onward cases outside the caller's jurisdiction")


class ChainSourceOut(Schema):
    case_id: int
    person_id: int
    name: str
    reported_on: datetime.date


class ChainOut(Schema):
    case: ChainNodeOut
    upward: list[ChainSourceOut] = Field(description="Source cases, nearest first")
    hidden_upward: int
    exposed_to: list[ExposureOut] = Field(description="The exposures that led to the case")
    hidden_exposed_to: int
    truncated: bool


def _contact_out(exposure: Exposure, secondary: list[Exposure]) -> dict[str, Any]:
    return {"exposure_id": exposure.pk, "person_id": exposure.person_id,
            "name": exposure.person.name, "degree": exposure.degree, "kind": exposure.kind,
            "last_contact_on": exposure.last_contact_on,
            "secondary": [_contact_out(second, []) for second in secondary]}


def _node_out(node: Node) -> dict[str, Any]:
    case = node.case
    return {"case_id": case.pk, "person_id": case.person_id, "name": case.person.name,
            "reported_on": case.reported_on, "hidden_contacts": node.hidden_contacts,
            "hidden_onward": node.hidden_onward,
            "contacts": [_contact_out(contact.exposure, contact.secondary)
                         for contact in node.contacts],
            "onward": [_node_out(child) for child in node.onward]}


def _chain_out(chain: Chain) -> dict[str, Any]:
    return {"case": _node_out(chain.root), "hidden_upward": chain.hidden_upward,
            "upward": [{"case_id": source.pk, "person_id": source.person_id,
                        "name": source.person.name, "reported_on": source.reported_on}
                       for source in chain.upward],
            "exposed_to": chain.exposed_to, "hidden_exposed_to": chain.hidden_exposed_to,
            "truncated": chain.truncated}


@router.get("/cases/{id}/chain", response=ChainOut)
def chain_get(request: HttpRequest, id: RecordId) -> dict:
    """The chain of transmission both ways: the source cases and the exposures that led to
    the case; its contacts (close, each with its secondary contacts) and the cases caught
    from it, level by level. Bounded in depth and size (``truncated``); what lies outside
    the caller's jurisdiction is counted (``hidden_*``), never shown."""
    case = _case(request, id)
    return _chain_out(transmission_chain(case, caller(request)))


# --- venues and visits ------------------------------------------------------------------

class VenueOut(Schema):
    id: int
    code: str = Field(description="The venue code (场所码) visitors scan")
    name: str
    facility_id: int | None
    enterprise_id: int | None
    grid_code: str
    active: bool


class VenueIn(Schema):
    facility_id: RecordId | None = None
    enterprise_id: RecordId | None = None
    name: str = Field("", max_length=200)


@router.get("/venues", response=list[VenueOut])
@paginate(Pages)
def venue_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, venues_visible_to, VIEW))


@router.get("/venues/{id}", response=VenueOut)
def venue_get(request: HttpRequest, id: RecordId) -> Venue:
    return visible_one(request, venues_visible_to, VIEW, pk=id)


@router.post("/venues", response={201: VenueOut})
def venue_post(request: HttpRequest, payload: VenueIn) -> Venue:
    """Give a facility or an enterprise (one) a venue code."""
    by = acting(request, RECORD)
    facility = referenced(request, facilities_visible_to, Action.VIEW_PLACES,
                          field="facility_id", pk=payload.facility_id)
    enterprise = referenced(request, enterprises_visible_to, Action.VIEW_PLACES,
                            field="enterprise_id", pk=payload.enterprise_id)
    return venue_create(facility=facility, enterprise=enterprise, name=payload.name,
                             by=by)


class VenueVisitOut(Schema):
    id: int
    venue_id: int
    person_id: int
    arrived: datetime.datetime
    left: datetime.datetime


class VenueVisitIn(Schema):
    person_id: RecordId
    arrived: datetime.datetime
    left: datetime.datetime


class VenueVisitsIn(Schema):
    visits: list[VenueVisitIn] = Field(min_length=1, max_length=MAX_VISITS)


class VenueVisitsOut(Schema):
    saved: int


@router.get("/venues/{id}/visits", response=list[VenueVisitOut])
@paginate(Pages)
def visit_list(request: HttpRequest, id: RecordId) -> QuerySet:
    """The venue's visits, latest first (kept WANGGE_VISIT_RETENTION_DAYS)."""
    venue = visible_one(request, venues_visible_to, VIEW, pk=id)
    return visits_visible_to(caller(request)).filter(venue=venue).order_by("-arrived", "-pk")


@router.post("/venues/{id}/visits", response={201: VenueVisitsOut})
def visits_post(request: HttpRequest, id: RecordId, payload: VenueVisitsIn) -> dict:
    """Record visits (scans in and out), all or nothing: a refused one is a 422 naming
    ``visits.N.field``; at most 2,000 at a time. Visitors must be registered in the
    jurisdiction."""
    venue = visible_one(request, venues_visible_to, VIEW, pk=id)
    by = acting(request, RECORD)
    persons = {person.pk: person for person in persons_visible_to(by).filter(
        pk__in={visit.person_id for visit in payload.visits})}
    errors = {f"visits.{position}.person_id": [
        _("There is no record with id %(id)s in your jurisdiction.") % {"id": visit.person_id}]
        for position, visit in enumerate(payload.visits) if visit.person_id not in persons}
    if errors:
        raise ValidationError(errors)
    saved = visits_record(venue=venue, by=by, visits=[
        Visit(persons[visit.person_id], visit.arrived, visit.left) for visit in payload.visits])
    return {"saved": len(saved)}

