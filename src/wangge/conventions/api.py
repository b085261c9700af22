"""API of conventions: staff draft, amend, open the discussion and the vote, close it, follow
turnout per grid and building, hide comments, handle breaches and record reviews; a resident
reads the conventions that concern them, comments, votes and reports a breach. No answer
holds a household's choice: ballots carry no voter."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.places.models import Building
from wangge.places.selectors import buildings_visible_to
from wangge.residents.selectors import resident_person

from .diff import version_diff
from .models import Breach, Choice, Comment, Convention, Kind, Majority, Outcome, Rule, State
from .selectors import (
    breaches_visible_to,
    conventions_of,
    conventions_visible_to,
    own_participation,
    tally_by_grid,
    turnout_by_area,
)
from .services import (
    BREACH_CHARACTERS,
    BUILDINGS_LISTED,
    COMMENT_CHARACTERS,
    GRIDS_LISTED,
    NOTES_CHARACTERS,
    TEXT_CHARACTERS,
    TITLE_CHARACTERS,
    WHY_CHARACTERS,
    ballot_cast,
    breach_handle,
    breach_report,
    comment_add,
    comment_hide,
    convention_create,
    convention_repeal,
    discussion_open,
    review_record,
    version_add,
    vote_close,
    vote_open,
)

router = Router(tags=["conventions"])
VIEW, MANAGE, OWN = Action.VIEW_CONVENTIONS, Action.MANAGE_CONVENTIONS, Action.VIEW_OWN_RECORD
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The request breaks a rule (a field, the convention's state, an area beyond your "
    "jurisdiction, a vote past its deadline, a household that has voted); errors names "
    "each.")})
GridCode = Annotated[str, Field(pattern=r"^\d{15}$", description="A grid's 15-digit code")]


class ConventionFilter(CodeFilter):
    state: State | None = None


class ConventionIn(Schema):
    kind: Kind
    title: str = Field(min_length=1, max_length=TITLE_CHARACTERS)
    text: str = Field(min_length=1, max_length=TEXT_CHARACTERS)
    community_code: str = Field(pattern=r"^\d{12}$", description="The community it belongs to")
    grid_codes: list[GridCode] = Field([], max_length=GRIDS_LISTED,
                                       description="Only these grids are concerned")
    building_ids: list[RecordId] = Field([], max_length=BUILDINGS_LISTED,
                                         description="Only these buildings are concerned")
    supersedes_id: RecordId | None = Field(None, description="The convention in force it "
                                                             "replaces once adopted")


class VersionIn(Schema):
    text: str = Field(min_length=1, max_length=TEXT_CHARACTERS)
    why: str = Field(min_length=1, max_length=WHY_CHARACTERS)
    from_comment_id: RecordId | None = Field(None, description="The amendment it takes in")


class VoteIn(Schema):
    rule: Rule
    quorum_percent: int = Field(ge=1, le=100)
    majority: Majority = Majority.SIMPLE
    deadline: datetime.datetime


class ConventionReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=WHY_CHARACTERS)


class ConventionCommentIn(Schema):
    text: str = Field(min_length=1, max_length=COMMENT_CHARACTERS)
    amendment: str = Field("", max_length=TEXT_CHARACTERS,
                           description="A whole new text proposed")


class BallotIn(Schema):
    choice: Choice


class BreachIn(Schema):
    text: str = Field(min_length=1, max_length=BREACH_CHARACTERS)
    building_id: RecordId | None = None


class HandleIn(Schema):
    action_taken: str = Field(min_length=1, max_length=BREACH_CHARACTERS)


class ReviewIn(Schema):
    reviewed_on: datetime.date
    outcome: Outcome
    notes: str = Field("", max_length=NOTES_CHARACTERS)


class ConventionVersionOut(Schema):
    number: int
    why: str
    created: datetime.datetime
    text: str


class TurnoutRow(Schema):
    key: str | int | None = Field(description="Grid code or building id")
    name: str
    electorate: int
    voted: int
    percent: float


class TallyRow(Schema):
    grid_code: str
    name: str
    ballots: int
    hidden: bool = Field(description="Too few ballots here to show the choices")
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None


class VoteOut(Schema):
    version: int = Field(description="The version voted on")
    rule: Rule
    quorum_percent: int
    majority: Majority
    opened_at: datetime.datetime
    deadline: datetime.datetime
    electorate: int = Field(description="Households (or persons) who may vote")
    turnout: int = Field(description="How many of them voted so far")
    turnout_percent: float
    closed_at: datetime.datetime | None
    votes_for: int | None = Field(description="Once closed")
    votes_against: int | None
    abstentions: int | None
    quorum_met: bool | None
    adopted: bool | None


class ConventionOut(Schema):
    id: int
    kind: Kind
    title: str
    code: str
    grid_codes: list[str]
    building_ids: list[int]
    state: State
    current_version: int | None = Field(description="The version in force (last adopted)")
    supersedes_id: int | None
    created: datetime.datetime


class ReviewOut(Schema):
    id: int
    reviewed_on: datetime.date
    outcome: Outcome
    notes: str


class ConventionDetailOut(ConventionOut):
    versions: list[ConventionVersionOut]
    vote: VoteOut | None
    turnout_by_grid: list[TurnoutRow]
    turnout_by_building: list[TurnoutRow]
    tally_by_grid: list[TallyRow] = Field(description="Once closed, per grid with enough "
                                                      "ballots")
    reviews: list[ReviewOut]


class DiffLineOut(Schema):
    kind: str = Field(description="same, removed, added or changed")
    segments: list[tuple[str, str]] = Field(description="(same|removed|added, text) pieces")


class ConventionCommentOut(Schema):
    id: int
    author_name: str
    staff: bool
    text: str = Field(description="Empty when hidden")
    amendment: str
    created: datetime.datetime
    hidden: bool
    hidden_reason: str


class BreachOut(Schema):
    id: int
    convention_id: int
    text: str
    building_id: int | None
    grid_code: str
    created: datetime.datetime
    state: str
    action_taken: str


class MyConventionOut(ConventionOut):
    text: str = Field(description="The text in force, or the latest version proposed")
    version: int
    vote: VoteOut | None
    in_electorate: bool
    voted: bool = Field(description="Whether your household (or you) voted; never the choice")


def convention_out(convention: Convention) -> dict[str, Any]:
    current = convention.current_version
    return {**{name: getattr(convention, name) for name in (
        "id", "kind", "title", "code", "grid_codes", "building_ids", "state", "supersedes_id",
        "created")},
        "current_version": current.number if current is not None else None}


def vote_out(convention: Convention) -> dict[str, Any] | None:
    vote = getattr(convention, "vote", None)
    if vote is None:
        return None
    closed = vote.closed_at is not None
    turnout = vote.turnout if closed else vote.participations.count()
    return {
        "version": vote.version.number, "rule": vote.rule, "quorum_percent": vote.quorum_percent,
        "majority": vote.majority, "opened_at": vote.opened_at, "deadline": vote.deadline,
        "electorate": vote.electorate, "turnout": turnout,
        "turnout_percent": round(100 * turnout / vote.electorate, 1) if vote.electorate else 0,
        "closed_at": vote.closed_at,
        # The tally is shown once the vote is closed: while it runs, watching it move with
        # each voter would tell how they voted.
        **{name: (getattr(vote, name) if closed else None) for name in (
            "votes_for", "votes_against", "abstentions", "quorum_met", "adopted")}}


def detail_out(convention: Convention) -> dict[str, Any]:
    vote = getattr(convention, "vote", None)
    turnout = turnout_by_area(vote) if vote is not None else {"grids": [], "buildings": []}
    return {
        **convention_out(convention),
        "versions": list(convention.versions.order_by("number").values(
            "number", "why", "created", "text")),
        "vote": vote_out(convention),
        "turnout_by_grid": turnout["grids"], "turnout_by_building": turnout["buildings"],
        "tally_by_grid": tally_by_grid(vote) if vote is not None else [],
        "reviews": list(convention.reviews.values("id", "reviewed_on", "outcome", "notes")),
    }


def comment_out(comment: Comment) -> dict[str, Any]:
    hidden = comment.hidden_at is not None
    return {"id": comment.pk, "author_name": comment.author_name, "staff": comment.staff,
            "text": "" if hidden else comment.text,
            "amendment": "" if hidden else comment.amendment, "created": comment.created,
            "hidden": hidden, "hidden_reason": comment.hidden_reason}


def breach_out(breach: Breach) -> dict[str, Any]:
    return {name: getattr(breach, name) for name in (
        "id", "convention_id", "text", "building_id", "grid_code", "created", "state",
        "action_taken")}


def _pages(out: Any) -> type[Pages]:
    class Shaped(Pages):
        def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                              request: HttpRequest, **params: Any) -> dict[str, Any]:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page["items"] = [out(item) for item in page["items"]]
            return page

    return Shaped


def _one(request: HttpRequest, id: int, action: Action = VIEW) -> Convention:
    acting(request, action)
    return visible_one(request, lambda user: conventions_visible_to(user).select_related(
        "current_version", "vote__version"), VIEW, pk=id)


def _building(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    building = buildings_visible_to(caller(request)).filter(pk=pk).first()
    if building is None:
        raise ValidationError({"building_id": _("No such building in your jurisdiction.")})
    return building


@router.get("/conventions", response=list[ConventionOut])
@paginate(_pages(convention_out))
def convention_list(request: HttpRequest, filters: Query[ConventionFilter]) -> QuerySet:
    """The conventions and proposals of the caller's communities, the newest first."""
    conventions = visible(request, conventions_visible_to, VIEW).select_related(
        "current_version")
    if filters.state:
        conventions = conventions.filter(state=filters.state)
    return filters.narrow(conventions).order_by("-created", "-pk")


@router.post("/conventions", response={201: ConventionDetailOut}, openapi_extra=REFUSALS)
def convention_post(request: HttpRequest, payload: ConventionIn) -> Status[dict[str, Any]]:
    """Draft a convention or proposal with its first version."""
    by = acting(request, MANAGE)
    supersedes = None
    if payload.supersedes_id is not None:
        supersedes = conventions_visible_to(by).filter(pk=payload.supersedes_id).first()
        if supersedes is None:
            raise ValidationError({"supersedes_id": _("No such convention in your "
                                                      "jurisdiction.")})
    convention = convention_create(
        by=by, kind=payload.kind, title=payload.title, text=payload.text,
        community_code=payload.community_code, grid_codes=payload.grid_codes,
        building_ids=payload.building_ids, supersedes=supersedes)
    return Status(201, detail_out(convention))


@router.get("/conventions/breaches", response=list[BreachOut])
@paginate(_pages(breach_out))
def breach_list(request: HttpRequest, waiting: bool = False) -> QuerySet:
    """Breaches reported in the caller's jurisdiction (``waiting``: not dealt with yet)."""
    breaches = visible(request, breaches_visible_to, VIEW)
    if waiting:
        breaches = breaches.filter(state="open")
    return breaches.order_by("-created", "-pk")


@router.post("/conventions/breaches/{id}/handle", response=BreachOut, openapi_extra=REFUSALS)
def breach_handle_post(request: HttpRequest, id: RecordId, payload: HandleIn
                       ) -> dict[str, Any]:
    """Record what was done about a breach."""
    breach = visible_one(request, breaches_visible_to, VIEW, pk=id)
    return breach_out(breach_handle(breach=breach, by=caller(request),
                                    action_taken=payload.action_taken))


@router.post("/conventions/comments/{id}/hide", response=ConventionCommentOut,
              openapi_extra=REFUSALS)
def comment_hide_post(request: HttpRequest, id: RecordId, payload: ConventionReasonIn
                      ) -> dict[str, Any]:
    """Hide an abusive comment, with the reason (kept in its history)."""
    acting(request, MANAGE)
    comment = visible_one(request, lambda user: Comment.objects.filter(
        convention__in=conventions_visible_to(user)).select_related("convention"), VIEW, pk=id)
    return comment_out(comment_hide(comment=comment, by=caller(request), reason=payload.reason))


@router.get("/conventions/{id}", response=ConventionDetailOut)
def convention_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """A convention with its versions, its vote (turnout per grid and building; the tally
    once closed) and its reviews."""
    return detail_out(_one(request, id))


@router.get("/conventions/{id}/diff", response=list[DiffLineOut])
def convention_diff(request: HttpRequest, id: RecordId,
                    old: int = Query(..., ge=1, le=100_000),
                    new: int = Query(..., ge=1, le=100_000)) -> list[dict[str, Any]]:
    """The differences from version ``old`` to version ``new``, line by line."""
    convention = _one(request, id)
    texts = dict(convention.versions.filter(number__in=[old, new]).values_list("number",
                                                                                 "text"))
    if old not in texts or new not in texts:
        raise Http404
    return [{"kind": line.kind, "segments": line.segments}
            for line in version_diff(texts[old], texts[new])]


@router.post("/conventions/{id}/versions", response={201: ConventionVersionOut},
              openapi_extra=REFUSALS)
def version_post(request: HttpRequest, id: RecordId, payload: VersionIn
                 ) -> Status[dict[str, Any]]:
    """Amend the text: a new version, with why (before the vote opens)."""
    convention = _one(request, id, MANAGE)
    comment = None
    if payload.from_comment_id is not None:
        comment = convention.comments.filter(pk=payload.from_comment_id).first()
    version = version_add(convention=convention, by=caller(request), text=payload.text,
                          why=payload.why, from_comment=comment)
    return Status(201, {"number": version.number, "why": version.why, "created": version.created,
                        "text": version.text})


@router.post("/conventions/{id}/discussion", response=ConventionOut, openapi_extra=REFUSALS)
def discussion_post(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """Open a draft for discussion; the residents concerned are told."""
    convention = _one(request, id, MANAGE)
    return convention_out(discussion_open(convention=convention, by=caller(request)))


@router.post("/conventions/{id}/vote", response=ConventionDetailOut, openapi_extra=REFUSALS)
def vote_post(request: HttpRequest, id: RecordId, payload: VoteIn) -> dict[str, Any]:
    """Open the vote on the latest version: its electorate is fixed now and told."""
    convention = _one(request, id, MANAGE)
    vote_open(convention=convention, by=caller(request), rule=payload.rule,
              quorum_percent=payload.quorum_percent, majority=payload.majority,
              deadline=payload.deadline)
    return detail_out(_one(request, id))


@router.post("/conventions/{id}/close", response=ConventionDetailOut, openapi_extra=REFUSALS)
def close_post(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """Close the vote once its deadline has passed, and compute the result."""
    convention = _one(request, id, MANAGE)
    vote = getattr(convention, "vote", None)
    if vote is None:
        raise Http404
    vote_close(vote=vote, by=caller(request))
    return detail_out(_one(request, id))


@router.post("/conventions/{id}/repeal", response=ConventionOut, openapi_extra=REFUSALS)
def repeal_post(request: HttpRequest, id: RecordId, payload: ConventionReasonIn) -> dict[str, Any]:
    """Repeal a convention in force."""
    convention = _one(request, id, MANAGE)
    return convention_out(convention_repeal(convention=convention, by=caller(request),
                                            reason=payload.reason))


@router.get("/conventions/{id}/comments", response=list[ConventionCommentOut])
@paginate(_pages(comment_out))
def comment_list(request: HttpRequest, id: RecordId) -> QuerySet:
    """The discussion, oldest first (a hidden comment shows its reason, not its text)."""
    return _one(request, id).comments.order_by("created", "pk")


@router.post("/conventions/{id}/comments", response={201: ConventionCommentOut},
              openapi_extra=REFUSALS)
def comment_post(request: HttpRequest, id: RecordId, payload: ConventionCommentIn
                 ) -> Status[dict[str, Any]]:
    """Comment as staff."""
    convention = _one(request, id)
    return Status(201, comment_out(comment_add(convention=convention, by=caller(request),
                                               text=payload.text, amendment=payload.amendment)))


@router.post("/conventions/{id}/breaches", response={201: BreachOut}, openapi_extra=REFUSALS)
def breach_post(request: HttpRequest, id: RecordId, payload: BreachIn
                ) -> Status[dict[str, Any]]:
    """Report a breach of a convention in force (optionally at a building)."""
    convention = _one(request, id)
    return Status(201, breach_out(breach_report(
        convention=convention, by=caller(request), text=payload.text,
        building=_building(request, payload.building_id))))


@router.post("/conventions/{id}/reviews", response={201: ReviewOut}, openapi_extra=REFUSALS)
def review_post(request: HttpRequest, id: RecordId, payload: ReviewIn
                ) -> Status[dict[str, Any]]:
    """Record a periodic review of a convention in force."""
    convention = _one(request, id, MANAGE)
    review = review_record(convention=convention, by=caller(request),
                           reviewed_on=payload.reviewed_on, outcome=payload.outcome,
                           notes=payload.notes)
    return Status(201, {"id": review.pk, "reviewed_on": review.reviewed_on,
                        "outcome": review.outcome, "notes": review.notes})


def my_out(request: HttpRequest, convention: Convention) -> dict[str, Any]:
    person = resident_person(caller(request))
    version = convention.current_version or convention.versions.order_by("-number").first()
    vote = getattr(convention, "vote", None)
    mine = (own_participation(person, vote) if vote is not None
            else {"elector": False, "voted": False})
    return {**convention_out(convention), "text": version.text if version else "",
            "version": version.number if version else 0, "vote": vote_out(convention),
            "in_electorate": mine["elector"], "voted": mine["voted"]}


def _mine(request: HttpRequest, id: int) -> Convention:
    person = resident_person(acting(request, OWN))
    for convention in conventions_of(person):
        if convention.pk == id:
            return convention
    raise Http404


@router.get("/me/conventions", response=list[MyConventionOut])
def my_conventions(request: HttpRequest) -> list[dict[str, Any]]:
    """The conventions and proposals that concern the resident, the newest first."""
    person = resident_person(acting(request, OWN))
    return [my_out(request, convention) for convention in conventions_of(person)]


@router.get("/me/conventions/{id}", response=MyConventionOut)
def my_convention(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """One of them, with its vote and whether the resident's household voted."""
    return my_out(request, _mine(request, id))


@router.get("/me/conventions/{id}/comments", response=list[ConventionCommentOut])
@paginate(_pages(comment_out))
def my_convention_comments(request: HttpRequest, id: RecordId) -> QuerySet:
    """The discussion, oldest first."""
    return _mine(request, id).comments.order_by("created", "pk")


@router.post("/me/conventions/{id}/comments", response={201: ConventionCommentOut},
             openapi_extra=REFUSALS)
def my_comment_post(request: HttpRequest, id: RecordId, payload: ConventionCommentIn
                    ) -> Status[dict[str, Any]]:
    """Comment, or propose an amendment (a whole new text)."""
    convention = _mine(request, id)
    return Status(201, comment_out(comment_add(convention=convention, by=caller(request),
                                               text=payload.text, amendment=payload.amendment)))


@router.post("/me/conventions/{id}/ballot", response=MyConventionOut, openapi_extra=REFUSALS)
def my_ballot_post(request: HttpRequest, id: RecordId, payload: BallotIn) -> dict[str, Any]:
    """Vote for one's household (or oneself): once; a second member is refused (422)."""
    convention = _mine(request, id)
    vote = getattr(convention, "vote", None)
    if vote is None:
        raise Http404
    ballot_cast(vote=vote, by=caller(request), choice=payload.choice)
    return my_out(request, convention)


@router.post("/me/conventions/{id}/breaches", response={201: BreachOut},
             openapi_extra=REFUSALS)
def my_breach_post(request: HttpRequest, id: RecordId, payload: BreachIn
                   ) -> Status[dict[str, Any]]:
    """Report a breach of a convention in force (optionally at a building of the
    community)."""
    convention = _mine(request, id)
    building = None
    if payload.building_id is not None:
        building = Building.objects.filter(pk=payload.building_id).first()
    return Status(201, breach_out(breach_report(convention=convention, by=caller(request),
                                                text=payload.text, building=building)))
