"""Writes of conventions and proposals: draft, amend (a new version each time), open the
discussion and the vote, comment and hide a comment, cast a ballot, close the vote (at its
deadline, `wangge conventions-due`), repeal; report and handle a breach; record a review.

Staff act in their jurisdiction (``MANAGE_CONVENTIONS`` to run a convention of a community
inside it, ``VIEW_CONVENTIONS`` to comment and handle breaches); residents act as their own
person (``VIEW_OWN_RECORD``): they comment where their household lives in the area concerned,
and vote where the electorate fixed at the opening holds them.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.bulk import insert_from
from wangge.divisions.models import Division, Grid
from wangge.foundation.actors import Actor, actor_checked, user_of
from wangge.foundation.codes import Level, is_within, level_of, scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, can, require
from wangge.notifications.models import CONVENTION
from wangge.notifications.services import notify_about_all
from wangge.people.models import Person
from wangge.places.models import Building
from wangge.residents.selectors import resident_person

from .models import (
    Ballot,
    Breach,
    BreachState,
    Choice,
    Comment,
    Convention,
    Elector,
    Kind,
    Majority,
    Outcome,
    Participation,
    Review,
    Rule,
    State,
    Version,
    Vote,
)
from .selectors import concerns, conventions_visible_to

# Bounds checked before any work.
TITLE_CHARACTERS = 120
TEXT_CHARACTERS = 20000
WHY_CHARACTERS = 200
COMMENT_CHARACTERS = 1000
BREACH_CHARACTERS = 1000
NOTES_CHARACTERS = 2000
GRIDS_LISTED = 200
BUILDINGS_LISTED = 1000
# A person's comments (and a resident's breach reports) in an hour: a discussion is not a
# chat room, and a flood of words drowns the others.
COMMENTS_PER_HOUR = 10
BREACHES_PER_HOUR = 5
VOTING_DAYS_AT_MOST = 90
ADULT_AGE = 18
# A convention is for a community of a few thousand households; beyond this the area named is
# wrong (a whole district), and the snapshot is refused before it is written.
ELECTORS_AT_MOST = 200_000
OPEN_STATES = (State.DISCUSSION, State.VOTING)


def _managing(convention: Convention, by: Actor) -> None:
    require(by, Action.MANAGE_CONVENTIONS)
    if not is_within(convention.code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("This convention belongs to a community outside your "
                                 "jurisdiction."))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def area_persons(convention: Convention) -> QuerySet[Person]:
    """The persons who live in the area concerned now: the community, or its grids or
    buildings named (one query)."""
    persons = Person.objects.filter(merged_into=None).in_scope([scope_prefix(convention.code)])
    if not convention.whole_community:
        persons = persons.filter(Q(grid_code__in=convention.grid_codes)
                                 | Q(dwelling__building_id__in=convention.building_ids))
    return persons.order_by()


def _area_checked(convention: Convention, by: Actor, grid_codes: Iterable[str],
                  building_ids: Iterable[int]) -> None:
    code = convention.code
    try:
        level = level_of(code)
    except ValidationError as error:
        raise ValidationError({"community_code": error.messages}) from error
    if (level != Level.COMMUNITY or not Division.objects.filter(code=code).exists()
            or not is_within(code, by.scope_prefixes)):
        raise ValidationError({"community_code": _(
            "%(code)s is not a community of your jurisdiction.") % {"code": code}})
    codes, ids = sorted(set(grid_codes)), sorted(set(building_ids))
    if len(codes) > GRIDS_LISTED:
        raise ValidationError({"grid_codes": _("Name at most %(count)s grids.")
                               % {"count": GRIDS_LISTED}})
    if len(ids) > BUILDINGS_LISTED:
        raise ValidationError({"building_ids": _("Name at most %(count)s buildings.")
                               % {"count": BUILDINGS_LISTED}})
    prefix = scope_prefix(code)
    found = set(Grid.objects.filter(code__in=codes).in_scope([prefix])
                .values_list("code", flat=True))
    if outside := [grid for grid in codes if grid not in found]:
        raise ValidationError({"grid_codes": _("Not a grid of this community: %(codes)s.")
                               % {"codes": ", ".join(outside[:10])}})
    placed = set(Building.objects.filter(pk__in=ids).in_scope([prefix])
                 .values_list("pk", flat=True))
    if outside_ids := [str(pk) for pk in ids if pk not in placed]:
        raise ValidationError({"building_ids": _(
            "Not a building of this community: %(ids)s.") % {"ids": ", ".join(outside_ids[:10])}})
    convention.grid_codes, convention.building_ids = codes, ids


def _text_checked(text: str, field: str = "text") -> str:
    text = text.strip()
    if not text or len(text) > TEXT_CHARACTERS:
        raise ValidationError({field: _("Write the text, in at most %(count)s characters.")
                               % {"count": TEXT_CHARACTERS}})
    return text


def _why_checked(why: str) -> str:
    why = " ".join(why.split())
    if not why or len(why) > WHY_CHARACTERS:
        raise ValidationError({"why": _("Say why, in at most %(count)s characters.")
                               % {"count": WHY_CHARACTERS}})
    return why


def convention_create(*, by: Actor, kind: str, title: str, text: str, community_code: str,
                      grid_codes: Iterable[str] = (), building_ids: Iterable[int] = (),
                      supersedes: Convention | None = None) -> Convention:
    """Draft a convention or proposal for a community of ``by``'s jurisdiction (or some of
    its grids or buildings), with its first version."""
    require(by, Action.MANAGE_CONVENTIONS)
    title = " ".join(title.split())
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose a convention or a proposal.")]
    if not title or len(title) > TITLE_CHARACTERS:
        errors["title"] = [_("Give a title of at most %(count)s characters.")
                           % {"count": TITLE_CHARACTERS}]
    if errors:
        raise ValidationError(errors)
    text = _text_checked(text)
    now = timezone.now()
    convention = Convention(kind=kind, title=title, code=community_code,
                            created_by=user_of(by), created=now, supersedes=supersedes)
    _area_checked(convention, by, grid_codes, building_ids)
    if supersedes is not None and (supersedes.code != convention.code
                                   or supersedes.state != State.IN_FORCE
                                   or kind != Kind.CONVENTION):
        raise ValidationError({"supersedes": _(
            "Only a convention may replace a convention in force of the same community.")})
    with transaction.atomic():
        save_with_history(convention, by=by, reason=_("drafted"))
        Version.objects.create(convention=convention, number=1, text=text,
                               why=_("first draft"), by=user_of(by), created=now)
    return convention


def version_add(*, convention: Convention, by: Actor, text: str, why: str,
                from_comment: Comment | None = None) -> Version:
    """Amend the text: a new version (never an edit of one), before the vote opens."""
    _managing(convention, by)
    if convention.state not in (State.DRAFT, State.DISCUSSION):
        raise ValidationError(_("The text can be amended only before the vote opens."))
    text, why = _text_checked(text), _why_checked(why)
    if from_comment is not None and (from_comment.convention_id != convention.pk
                                     or not from_comment.amendment):
        raise ValidationError({"from_comment": _("Choose an amendment proposed in this "
                                                 "discussion.")})
    with transaction.atomic():
        locked = Convention.objects.select_for_update().get(pk=convention.pk)
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ValidationError({"text": _("This text is the same as the latest version.")})
        version = Version.objects.create(
            convention=locked, number=(latest.number if latest else 0) + 1, text=text,
            why=why, by=user_of(by), created=timezone.now(), from_comment=from_comment)
    return version


def latest_version(convention: Convention) -> Version:
    version = convention.versions.order_by("-number").first()
    if version is None:  # never: a convention is drafted with its first version
        raise ValidationError(_("This convention has no text."))
    return version


def _tell(persons: QuerySet[Person], convention: Convention, wording: str,
          actor: User | None) -> int:
    """Tell the residents among ``persons`` who have an account, in their inbox, in one
    INSERT … SELECT."""
    return notify_about_all(
        User.objects.filter(resident_account__person__in=persons.values("pk")),
        kind=CONVENTION, wording=wording, values={"title": convention.title},
        link=reverse("conventions:mine_detail", args=[convention.pk]), actor=actor)


def discussion_open(*, convention: Convention, by: Actor) -> Convention:
    """Publish a draft for discussion; the residents concerned are told."""
    _managing(convention, by)
    if convention.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be opened for discussion."))
    with transaction.atomic():
        convention.state = State.DISCUSSION
        save_with_history(convention, by=by, reason=_("opened for discussion"))
        _tell(area_persons(convention), convention,
              gettext_noop("Open for discussion in your community: %(title)s"), user_of(by))
    return convention


def comment_add(*, convention: Convention, by: Actor, text: str,
                amendment: str = "") -> Comment:
    """A comment in the discussion (open while it is discussed or voted on), by a resident
    whose household lives in the area concerned, or by staff who see the convention."""
    user = user_of(by)
    if user is None:
        raise PermissionDenied(_("Only a person may comment."))
    if convention.state not in OPEN_STATES:
        raise ValidationError(_("The discussion is not open."))
    staff = can(user, Action.VIEW_CONVENTIONS)
    if staff:
        if not _sees(user, convention):
            raise PermissionDenied(_("This convention is outside your jurisdiction."))
        name = user.get_full_name() or user.get_username()
    else:
        require(user, Action.VIEW_OWN_RECORD)
        person = resident_person(user)
        if not concerns(convention, person):
            raise PermissionDenied(_("Only the residents of the area concerned take part in "
                                     "this discussion."))
        assert person is not None
        name = person.name[:1] + "*" * max(len(person.name) - 1, 1)
    text = text.strip()
    amendment = amendment.strip()
    if not text or len(text) > COMMENT_CHARACTERS:
        raise ValidationError({"text": _("Write your comment in at most %(count)s "
                                         "characters.") % {"count": COMMENT_CHARACTERS}})
    if len(amendment) > TEXT_CHARACTERS:
        raise ValidationError({"amendment": _("An amendment is at most %(count)s characters.")
                               % {"count": TEXT_CHARACTERS}})
    now = timezone.now()
    recent = Comment.objects.filter(author=user, created__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= COMMENTS_PER_HOUR:
        raise ValidationError({"text": _("You have written %(count)s comments in the last "
                                         "hour; please wait a little.")
                               % {"count": COMMENTS_PER_HOUR}})
    comment = Comment(convention=convention, author=user, author_name=name[:150], staff=staff,
                      text=text, amendment=amendment, created=now)
    return save_with_history(comment, by=by, reason=_("written"))


def comment_hide(*, comment: Comment, by: Actor, reason: str) -> Comment:
    """Hide an abusive comment; it stays in the record, with who hid it and why."""
    _managing(comment.convention, by)
    reason = stated_reason(reason, _("Say why the comment is hidden."))[:WHY_CHARACTERS]
    if comment.hidden_at is not None:
        raise ValidationError(_("This comment is hidden already."))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = (
        timezone.now(), user_of(by), reason)
    return save_with_history(comment, by=by, reason=reason)


def _sees(user: User, convention: Convention) -> bool:
    return conventions_visible_to(user).filter(pk=convention.pk).exists()


def _electorate(convention: Convention, rule: str, today: datetime.date) -> QuerySet:
    """The rows of the electorate, as the database will insert them: every adult who lives
    in the area concerned, with the unit that votes once (their household under the
    household rule, else themselves) and where that unit lives."""
    adults = area_persons(convention).filter(
        birth_date__lte=_years_before(today, ADULT_AGE))
    own = Concat(Value("person:"), Cast("pk", output_field=CharField()),
                 output_field=CharField())
    if rule == Rule.HOUSEHOLD:
        unit = Case(When(household__isnull=False, then=Concat(
            Value("household:"), Cast("household_id", output_field=CharField()),
            output_field=CharField())), default=own, output_field=CharField())
        grid = Coalesce("household__grid_code", "grid_code", output_field=CharField())
        building = Coalesce("household__dwelling__building_id", "dwelling__building_id",
                            output_field=IntegerField())
        return adults.annotate(_unit=unit, _grid=grid, _building=building)
    return adults.annotate(_unit=own, _grid=F("grid_code"), _building=F("dwelling__building_id"))


def vote_open(*, convention: Convention, by: Actor, rule: str, quorum_percent: int,
              deadline: datetime.datetime, majority: str = Majority.SIMPLE) -> Vote:
    """Put the latest version to the vote: the electorate is resolved once, now (one
    INSERT … SELECT), and told."""
    _managing(convention, by)
    if convention.state not in (State.DRAFT, State.DISCUSSION):
        raise ValidationError(_("A vote opens on a draft or a convention under discussion."))
    now = timezone.now()
    errors = {}
    if rule not in Rule.values:
        errors["rule"] = [_("Choose who votes.")]
    if majority not in Majority.values:
        errors["majority"] = [_("Choose the majority needed.")]
    if not 1 <= quorum_percent <= 100:
        errors["quorum_percent"] = [_("The quorum is a share from 1 to 100 %.")]
    if deadline <= now + datetime.timedelta(hours=1):
        errors["deadline"] = [_("Give the residents at least an hour to vote.")]
    elif deadline > now + datetime.timedelta(days=VOTING_DAYS_AT_MOST):
        errors["deadline"] = [_("A vote lasts at most %(days)s days.")
                              % {"days": VOTING_DAYS_AT_MOST}]
    if errors:
        raise ValidationError(errors)
    rows = _electorate(convention, rule, timezone.localdate())
    if rows.count() > ELECTORS_AT_MOST:
        raise ValidationError(_("The area concerned holds more than %(count)s voters: name "
                                "a community's grids or buildings.")
                              % {"count": ELECTORS_AT_MOST})
    with transaction.atomic():
        locked = Convention.objects.select_for_update().get(pk=convention.pk)
        if locked.state not in (State.DRAFT, State.DISCUSSION):
            raise ValidationError(_("A vote is already open."))
        vote = Vote.objects.create(
            convention=locked, version=latest_version(locked), rule=rule,
            quorum_percent=quorum_percent, majority=majority, opened_at=now,
            deadline=deadline, opened_by=user_of(by))
        insert_from(Elector, ["vote", "person", "unit", "grid_code", "building_id"],
                    rows.annotate(_vote=Value(vote.pk, output_field=IntegerField()))
                    .values_list("_vote", "pk", "_unit", "_grid", "_building"))
        vote.electorate = vote.electors.values("unit").distinct().count()
        if vote.electorate == 0:
            raise ValidationError(_("No adult lives in the area concerned: nobody could "
                                    "vote."))
        vote.save(update_fields=["electorate"])
        convention.state = locked.state = State.VOTING
        save_with_history(locked, by=by, reason=_("vote opened"))
        _tell(Person.objects.filter(pk__in=vote.electors.values("person")), convention,
              gettext_noop("Vote now, until the deadline: %(title)s"), user_of(by))
    return vote


def ballot_cast(*, vote: Vote, by: Actor, choice: str) -> Participation:
    """A resident of the electorate votes for their household (or themselves): once. A
    second member of a household that has voted is refused, by the database as well."""
    require(by, Action.VIEW_OWN_RECORD)
    user = user_of(by)
    person = resident_person(user) if user is not None else None
    if person is None:
        raise PermissionDenied(_("Only a resident signed in as their own person may vote."))
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose for, against or abstain.")})
    now = timezone.now()
    if vote.closed_at is not None or now >= vote.deadline:
        raise ValidationError(_("The vote closed at its deadline."))
    elector = Elector.objects.filter(vote=vote, person=person).first()
    if elector is None:
        raise PermissionDenied(_("You are not in the electorate of this vote (fixed when it "
                                 "opened: the adults living in the area concerned then)."))
    household = vote.rule == Rule.HOUSEHOLD and elector.unit.startswith("household:")
    voted = (_("Your household has already voted.") if household
             else _("You have already voted."))
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                vote=vote, unit=elector.unit, grid_code=elector.grid_code,
                building_id=elector.building_id, cast_at=now)
            Ballot.objects.create(vote=vote, choice=choice, grid_code=elector.grid_code)
    except IntegrityError as error:  # the unique (vote, unit): voted already
        raise ValidationError(voted) from error
    return participation


def _majority(vote: Vote) -> bool:
    if vote.majority == Majority.TWO_THIRDS:
        return vote.votes_for > 0 and 3 * vote.votes_for >= 2 * (vote.votes_for
                                                                  + vote.votes_against)
    return vote.votes_for > vote.votes_against


def vote_close(*, vote: Vote, by: Actor, now: datetime.datetime | None = None) -> Vote:
    """Close a vote past its deadline and compute the result: the quorum met (voters at
    least ``quorum_percent`` of the electorate) and the majority for → adopted, the version
    voted on becoming the current text; else rejected."""
    _managing(vote.convention, by)
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().select_related("convention").get(pk=vote.pk)
        if vote.closed_at is not None:
            raise ValidationError(_("This vote is closed already."))
        if now < vote.deadline:
            raise ValidationError(_("The vote runs until its deadline; close it after."))
        counts = dict(vote.ballots.values_list("choice").annotate(n=Count("pk"))
                      .values_list("choice", "n"))
        vote.turnout = vote.participations.count()
        vote.votes_for = counts.get(Choice.FOR, 0)
        vote.votes_against = counts.get(Choice.AGAINST, 0)
        vote.abstentions = counts.get(Choice.ABSTAIN, 0)
        vote.quorum_met = (vote.electorate > 0
                           and vote.turnout * 100 >= vote.quorum_percent * vote.electorate)
        vote.adopted = bool(vote.quorum_met and _majority(vote))
        vote.closed_at = now
        save_with_history(vote, by=by, reason=_("closed"))
        convention = vote.convention
        if vote.adopted:
            convention.current_version = vote.version
            convention.state = (State.IN_FORCE if convention.kind == Kind.CONVENTION
                                else State.ADOPTED)
            old = convention.supersedes
            if old is not None and old.state == State.IN_FORCE:
                old.state = State.SUPERSEDED
                save_with_history(old, by=by, reason=_("superseded by %(title)s")
                                  % {"title": convention.title})
        else:
            convention.state = State.REJECTED
        save_with_history(convention, by=by, reason=_("adopted") if vote.adopted
                          else _("rejected"))
        _tell(Person.objects.filter(pk__in=vote.electors.values("person")), convention,
              gettext_noop("The result of the vote is out: %(title)s"), None)
    return vote


def conventions_due(*, by: Actor, now: datetime.datetime | None = None) -> list[Vote]:
    """Close every vote whose deadline has passed (`wangge conventions-due`, cron), each in
    its own transaction; one closed meanwhile by another run is skipped."""
    now = now or timezone.now()
    closed = []
    due = Vote.objects.filter(closed_at=None, deadline__lte=now).order_by("deadline", "pk")
    for vote in due.select_related("convention"):
        try:
            closed.append(vote_close(vote=vote, by=by, now=now))
        except ValidationError:
            continue
    return closed


def convention_repeal(*, convention: Convention, by: Actor, reason: str) -> Convention:
    """Repeal a convention in force (after a review, say); its text stays on record."""
    _managing(convention, by)
    reason = stated_reason(reason, _("Say why the convention is repealed."))[:WHY_CHARACTERS]
    if convention.state != State.IN_FORCE:
        raise ValidationError(_("Only a convention in force can be repealed."))
    convention.state = State.REPEALED
    return save_with_history(convention, by=by, reason=reason)


def breach_report(*, convention: Convention, by: Actor, text: str,
                  building: Building | None = None) -> Breach:
    """Report a breach of a convention in force, optionally where in the community: a task
    for its staff (and the grid workers of the building's grid)."""
    user = user_of(by)
    if user is None:
        raise PermissionDenied(_("Only a person may report a breach."))
    if convention.state != State.IN_FORCE:
        raise ValidationError(_("Only a convention in force can be breached."))
    if can(user, Action.VIEW_CONVENTIONS):
        if not _sees(user, convention):
            raise PermissionDenied(_("This convention is outside your jurisdiction."))
    else:
        require(user, Action.VIEW_OWN_RECORD)
        person = resident_person(user)
        if person is None or not person.grid_code.startswith(scope_prefix(convention.code)):
            raise PermissionDenied(_("Only the residents of its community report a breach."))
        since = timezone.now() - datetime.timedelta(hours=1)
        if Breach.objects.filter(reported_by=user, created__gte=since).count() >= (
                BREACHES_PER_HOUR):
            raise ValidationError({"text": _("You have reported %(count)s breaches in the "
                                             "last hour; please wait a little.")
                                   % {"count": BREACHES_PER_HOUR}})
    text = text.strip()
    if not text or len(text) > BREACH_CHARACTERS:
        raise ValidationError({"text": _("Say what happened, in at most %(count)s "
                                         "characters.") % {"count": BREACH_CHARACTERS}})
    if building is not None and not building.grid_code.startswith(
            scope_prefix(convention.code)):
        raise ValidationError({"building": _("This building is not in the community.")})
    breach = Breach(convention=convention, text=text, building=building,
                    grid_code=building.grid_code if building is not None else convention.code,
                    reported_by=user, created=timezone.now())
    return save_with_history(breach, by=by, reason=_("reported"))


def breach_handle(*, breach: Breach, by: Actor, action_taken: str) -> Breach:
    """Record what was done about a breach; it leaves the to-do lists."""
    require(by, Action.VIEW_CONVENTIONS)
    if not is_within(breach.grid_code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("This breach is outside your jurisdiction."))
    action_taken = action_taken.strip()
    if not action_taken or len(action_taken) > BREACH_CHARACTERS:
        raise ValidationError({"action_taken": _("Say what was done, in at most %(count)s "
                                                 "characters.")
                               % {"count": BREACH_CHARACTERS}})
    if breach.state != BreachState.OPEN:
        raise ValidationError(_("This breach was dealt with already."))
    breach.state, breach.action_taken = BreachState.DONE, action_taken
    breach.handled_by, breach.handled_at = user_of(by), timezone.now()
    return save_with_history(breach, by=by, reason=_("dealt with"))


def review_record(*, convention: Convention, by: Actor, reviewed_on: datetime.date,
                  outcome: str, notes: str = "") -> Review:
    """A periodic review of a convention in force: keep, amend (a new convention to
    supersede it) or repeal (``convention_repeal``), with notes."""
    _managing(convention, by)
    if convention.state != State.IN_FORCE:
        raise ValidationError(_("Only a convention in force is reviewed."))
    notes = notes.strip()
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose keep, amend or repeal.")]
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = [_("A review is recorded once it has taken place.")]
    if len(notes) > NOTES_CHARACTERS:
        errors["notes"] = [_("Keep the notes under %(count)s characters.")
                           % {"count": NOTES_CHARACTERS}]
    if errors:
        raise ValidationError(errors)
    review = Review(convention=convention, reviewed_on=reviewed_on, outcome=outcome,
                    notes=notes, by=user_of(by))
    return save_with_history(review, by=by, reason=_("reviewed"))

