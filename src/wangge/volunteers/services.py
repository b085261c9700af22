"""Writes of volunteers and party members: the report-in (a resident's own, or by staff for a
person of the registry) and its confirmation; tasks, signing up, calls and their answers;
hours confirmed after a task and the points they earn by the community's rule, written to the
append-only ledger; corrections; the rules themselves.

Every write checks its actor: residents act on their own report-in and tasks only
(``VIEW_OWN_RECORD``, through ``resident_person``); staff need ``MANAGE_VOLUNTEERS`` and the
community in their jurisdiction.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.divisions.models import Division
from wangge.foundation.actors import Actor, SystemActor, actor_checked, user_of
from wangge.foundation.codes import Level, is_within, level_of
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, require
from wangge.notifications.models import VOLUNTEERING
from wangge.notifications.services import notify_about
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to
from wangge.residents.selectors import resident_person

from .models import (
    LedgerEntry,
    Participation,
    ParticipationState,
    PointRule,
    Registration,
    RegistrationState,
    Skill,
    Task,
    TaskKind,
)

# Bounds checked before any work.
SKILLS_TEXT_CHARACTERS = 200
TIMES_CHARACTERS = 100
NOTE_CHARACTERS = 200
TITLE_CHARACTERS = 120
DESCRIPTION_CHARACTERS = 2000
PLACE_CHARACTERS = 200
MOST_NEEDED = 500
LONGEST_TASK = datetime.timedelta(days=14)
CALLED_AT_ONCE = 50
MOST_HOURS = Decimal(24)
MOST_POINTS_PER_HOUR = Decimal(100)
MOST_BONUS = Decimal(1000)
MOST_CORRECTION = Decimal(1000)
# The rule of a community that has set none.
DEFAULT_POINTS_PER_HOUR = Decimal(10)
STARTED = gettext_noop("This task has started: sign-ups and withdrawals are closed.")

TAKING_PART = ParticipationState.SIGNED_UP


# -- report-ins ----------------------------------------------------------------------------

def community_of(person: Person) -> str:
    """The community a person lives in: the first 12 digits of their grid's code."""
    return person.grid_code[:12]


def _details(*, as_volunteer: bool, as_party_member: bool,
             party_organization: Organization | None, skills: Iterable[str],
             skills_text: str, days: Iterable[int], times: str) -> dict[str, Any]:
    """The report-in's details checked and tidied (a ValidationError naming each field)."""
    skills, days = sorted(set(skills)), sorted(set(days))
    skills_text, times = " ".join(skills_text.split()), " ".join(times.split())
    errors: dict[str, str] = {}
    if not as_volunteer and not as_party_member:
        errors["as_volunteer"] = _("Report in as a volunteer, as a party member, or both.")
    if as_party_member and (party_organization is None
                            or party_organization.kind != OrganizationKind.PARTY):
        errors["party_organization"] = _("A party member names their own party organization.")
    if not as_party_member:
        party_organization = None
    if unknown := [skill for skill in skills if skill not in Skill.values]:
        errors["skills"] = _("Unknown skills: %(skills)s.") % {"skills": ", ".join(unknown[:5])}
    if len(skills_text) > SKILLS_TEXT_CHARACTERS:
        errors["skills_text"] = _("Keep it under %(count)s characters.") % {
            "count": SKILLS_TEXT_CHARACTERS}
    if any(not isinstance(day, int) or not 0 <= day <= 6 for day in days):
        errors["days"] = _("Days run from 0 (Monday) to 6 (Sunday).")
    if len(times) > TIMES_CHARACTERS:
        errors["times"] = _("Keep it under %(count)s characters.") % {"count": TIMES_CHARACTERS}
    if errors:
        raise ValidationError(errors)
    return {"as_volunteer": as_volunteer, "as_party_member": as_party_member,
            "party_organization": party_organization, "skills": skills,
            "skills_text": skills_text, "days": days, "times": times}


def _own_person(by: Actor) -> Person:
    require(by, Action.VIEW_OWN_RECORD)
    person = resident_person(by) if isinstance(by, User) else None
    if person is None:
        raise PermissionDenied(_("Your account is linked to no person's record."))
    return person


def registration_report_in(*, by: Actor, as_volunteer: bool = True,
                           as_party_member: bool = False,
                           party_organization: Organization | None = None,
                           skills: Iterable[str] = (), skills_text: str = "",
                           days: Iterable[int] = (), times: str = "") -> Registration:
    """A resident reports in (报到) to the community they live in, as a volunteer and/or a
    party member; a second report-in there updates the first (one declined or withdrawn waits
    for the community again)."""
    person = _own_person(by)
    details = _details(as_volunteer=as_volunteer, as_party_member=as_party_member,
                       party_organization=party_organization, skills=skills,
                       skills_text=skills_text, days=days, times=times)
    code = community_of(person)
    with transaction.atomic():
        registration = (Registration.objects.select_for_update().filter(person=person, code=code)
                        .first())
        if registration is None:
            registration = Registration(person=person, code=code, created=timezone.now(),
                                        registered_by=user_of(by))
            reason = _("reported in")
        else:
            reason = _("report-in updated")
        for name, value in details.items():
            setattr(registration, name, value)
        if registration.state in (RegistrationState.DECLINED, RegistrationState.WITHDRAWN):
            registration.state = RegistrationState.PENDING
            registration.decided_by, registration.decided_at = None, None
            registration.decision_note = ""
            reason = _("reported in again")
        return save_with_history(registration, by=by, reason=reason)


def _community_checked(code: str, by: Actor, field: str = "code") -> str:
    """``code`` as a community of ``by``'s jurisdiction, else a ValidationError on ``field``."""
    try:
        is_community = level_of(code) == Level.COMMUNITY
    except ValidationError:
        is_community = False
    if (not is_community or not Division.objects.filter(code=code).exists()
            or not is_within(code, actor_checked(by).scope_prefixes)):
        raise ValidationError({field: _("%(code)s is not a community of your jurisdiction.")
                               % {"code": code}})
    return code


def _manages(by: Actor, code: str) -> None:
    """Refuse one who may not manage the volunteers of community ``code``."""
    require(by, Action.MANAGE_VOLUNTEERS)
    if not is_within(code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("This community is outside your jurisdiction."))


def registration_register(*, by: Actor, person: Person, as_volunteer: bool = True,
                          as_party_member: bool = False,
                          party_organization: Organization | None = None,
                          skills: Iterable[str] = (), skills_text: str = "",
                          days: Iterable[int] = (), times: str = "") -> Registration:
    """Staff report a person of the registry in to the community they live in, on their
    behalf (they asked in person): confirmed at once, since staff of that community did it."""
    require(by, Action.MANAGE_VOLUNTEERS)
    if isinstance(by, User) and not persons_visible_to(by).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person is not in your jurisdiction.")})
    code = _community_checked(community_of(person), by, field="person")
    details = _details(as_volunteer=as_volunteer, as_party_member=as_party_member,
                       party_organization=party_organization, skills=skills,
                       skills_text=skills_text, days=days, times=times)
    with transaction.atomic():
        registration = (Registration.objects.select_for_update().filter(person=person, code=code)
                        .first())
        if registration is None:
            registration = Registration(person=person, code=code, created=timezone.now(),
                                        registered_by=user_of(by))
        for name, value in details.items():
            setattr(registration, name, value)
        registration.state = RegistrationState.CONFIRMED
        registration.decided_by, registration.decided_at = user_of(by), timezone.now()
        return save_with_history(registration, by=by, reason=_("registered by staff"))


def registration_decide(*, by: Actor, registration: Registration, confirm: bool,
                        note: str = "") -> Registration:
    """The community confirms a report-in, or declines it (a note says why; a confirmed
    volunteer may be declined later, which ends their sign-ups not yet started)."""
    _manages(by, registration.code)
    note = " ".join(note.split())
    if len(note) > NOTE_CHARACTERS:
        raise ValidationError({"note": _("Keep the note under %(count)s characters.")
                               % {"count": NOTE_CHARACTERS}})
    state = registration.state
    if confirm and state not in (RegistrationState.PENDING, RegistrationState.DECLINED):
        raise ValidationError(_("Only a report-in waiting or declined can be confirmed."))
    if not confirm:
        if state not in (RegistrationState.PENDING, RegistrationState.CONFIRMED):
            raise ValidationError(_("Only a report-in waiting or confirmed can be declined."))
        if not note:
            raise ValidationError({"note": _("Say why the report-in is declined.")})
    with transaction.atomic():
        registration.state = (RegistrationState.CONFIRMED if confirm
                              else RegistrationState.DECLINED)
        registration.decided_by, registration.decided_at = user_of(by), timezone.now()
        registration.decision_note = note
        save_with_history(registration, by=by, reason=note or _("confirmed"))
        if not confirm:
            _leave_coming_tasks(registration, by=by, reason=_("report-in declined"))
    return registration


def registration_withdraw(*, by: Actor) -> Registration:
    """A resident withdraws their report-in to their community (and from its tasks to come)."""
    person = _own_person(by)
    registration = Registration.objects.filter(person=person, code=community_of(person)).first()
    if registration is None or registration.state == RegistrationState.WITHDRAWN:
        raise ValidationError(_("You have not reported in here."))
    with transaction.atomic():
        registration.state = RegistrationState.WITHDRAWN
        save_with_history(registration, by=by, reason=_("withdrawn by the resident"))
        _leave_coming_tasks(registration, by=by, reason=_("report-in withdrawn"))
    return registration


def _leave_coming_tasks(registration: Registration, *, by: Actor, reason: str) -> None:
    for participation in registration.participations.filter(
            state__in=[ParticipationState.CALLED, TAKING_PART],
            task__starts_at__gt=timezone.now()):
        participation.state = ParticipationState.WITHDRAWN
        save_with_history(participation, by=by, reason=reason)


# -- tasks ---------------------------------------------------------------------------------

def task_post(*, by: Actor, code: str, title: str, place: str, starts_at: datetime.datetime,
              ends_at: datetime.datetime, needed: int, description: str = "",
              kind: str = TaskKind.GENERAL, urgent: bool = False, skills: Iterable[str] = (),
              contact_phone: str = "") -> Task:
    """Community staff post a task for the confirmed volunteers of a community of theirs."""
    require(by, Action.MANAGE_VOLUNTEERS)
    title, place = " ".join(title.split()), " ".join(place.split())
    description, contact_phone = description.strip(), "".join(contact_phone.split())
    skills = sorted(set(skills))
    errors: dict[str, str] = {}
    if not title or len(title) > TITLE_CHARACTERS:
        errors["title"] = _("Give a title of at most %(count)s characters.") % {
            "count": TITLE_CHARACTERS}
    if not place or len(place) > PLACE_CHARACTERS:
        errors["place"] = _("Say where, in at most %(count)s characters.") % {
            "count": PLACE_CHARACTERS}
    if len(description) > DESCRIPTION_CHARACTERS:
        errors["description"] = _("Keep it under %(count)s characters.") % {
            "count": DESCRIPTION_CHARACTERS}
    if starts_at < timezone.now() - datetime.timedelta(minutes=5):
        errors["starts_at"] = _("This time has passed.")
    if ends_at <= starts_at or ends_at - starts_at > LONGEST_TASK:
        errors["ends_at"] = _("A task ends after it starts, within %(days)s days.") % {
            "days": LONGEST_TASK.days}
    if not 1 <= needed <= MOST_NEEDED:
        errors["needed"] = _("From 1 to %(count)s volunteers.") % {"count": MOST_NEEDED}
    if kind not in TaskKind.values:
        errors["kind"] = _("Choose the kind of task.")
    if unknown := [skill for skill in skills if skill not in Skill.values]:
        errors["skills"] = _("Unknown skills: %(skills)s.") % {"skills": ", ".join(unknown[:5])}
    if len(contact_phone) > 20:
        errors["contact_phone"] = _("A phone number has at most 20 characters.")
    if errors:
        raise ValidationError(errors)
    code = _community_checked(code, by)
    user = user_of(by)
    contact = (user.get_full_name() or user.get_username()) if user else str(by)
    task = Task(code=code, title=title, description=description, place=place,
                starts_at=starts_at, ends_at=ends_at, needed=needed, kind=kind, urgent=urgent,
                skills=skills, organizer=user, contact_name=contact[:50],
                contact_phone=contact_phone, created=timezone.now())
    return save_with_history(task, by=by, reason=_("posted"))


def task_cancel(*, by: Actor, task: Task, reason: str) -> Task:
    """Cancel a task not yet started; those taking part or called see it cancelled."""
    _manages(by, task.code)
    reason = stated_reason(reason, _("Say why the task is cancelled."))[:NOTE_CHARACTERS]
    if task.cancelled_at is not None or task.starts_at <= timezone.now():
        raise ValidationError(_("Only a task not yet started can be cancelled."))
    task.cancelled_at = timezone.now()
    return save_with_history(task, by=by, reason=reason)


def _taken(task: Task) -> int:
    return task.participations.filter(state=TAKING_PART).count()


def _may_take_part(task: Task, registration: Registration) -> None:
    """Refuse a place on ``task`` that is closed, full, or overlaps another of the person's
    tasks (``task`` is locked by the caller)."""
    if task.cancelled_at is not None:
        raise ValidationError(_("This task was cancelled."))
    if task.starts_at <= timezone.now():
        raise ValidationError(_(STARTED))
    if _taken(task) >= task.needed:
        raise ValidationError(_("This task has all the volunteers it needs."))
    overlapping = Participation.objects.filter(
        registration__person=registration.person, state=TAKING_PART,
        task__cancelled_at=None, task__starts_at__lt=task.ends_at,
        task__ends_at__gt=task.starts_at).exclude(task=task).select_related("task").first()
    if overlapping is not None:
        raise ValidationError(_("This task overlaps another of yours: %(title)s.")
                              % {"title": overlapping.task.title})


def _own_registration(by: Actor, task: Task) -> Registration:
    person = _own_person(by)
    registration = Registration.objects.filter(
        person=person, code=task.code, state=RegistrationState.CONFIRMED).first()
    if registration is None:
        raise PermissionDenied(_("Only the confirmed volunteers of its community take part."))
    return registration


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def task_sign_up(*, by: Actor, task: Task) -> Participation:
    """A confirmed volunteer of the task's community signs up (accepting a call, if called):
    refused once it has started, when it is full, or when it overlaps another of theirs."""
    registration = _own_registration(by, task)
    with transaction.atomic():
        task = _locked(task)
        participation = Participation.objects.filter(task=task,
                                                     registration=registration).first()
        if participation is not None and participation.state == TAKING_PART:
            raise ValidationError(_("You take part in this task already."))
        _may_take_part(task, registration)
        if participation is None:
            participation = Participation(task=task, registration=registration,
                                          created=timezone.now())
        reason = _("accepted the call") if participation.called else _("signed up")
        participation.state = TAKING_PART
        return save_with_history(participation, by=by, reason=reason)


def task_withdraw(*, by: Actor, task: Task) -> Participation:
    """A volunteer withdraws from a task (or declines a call) before it starts."""
    registration = _own_registration(by, task)
    participation = Participation.objects.filter(
        task=task, registration=registration,
        state__in=[TAKING_PART, ParticipationState.CALLED]).first()
    if participation is None:
        raise ValidationError(_("You do not take part in this task."))
    if task.starts_at <= timezone.now():
        raise ValidationError(_(STARTED))
    declined = participation.state == ParticipationState.CALLED
    participation.state = ParticipationState.DECLINED if declined else ParticipationState.WITHDRAWN
    return save_with_history(participation, by=by,
                             reason=_("declined the call") if declined else _("withdrew"))


def task_call(*, by: Actor, task: Task, registrations: list[Registration]) -> int:
    """Staff call confirmed volunteers of the task's community for it: each is told in their
    inbox and accepts or declines on their page. Returns how many were called (those taking
    part or called already are left as they are)."""
    _manages(by, task.code)
    if not 1 <= len(registrations) <= CALLED_AT_ONCE:
        raise ValidationError({"registrations": _("Call from 1 to %(count)s volunteers at "
                                                  "once.") % {"count": CALLED_AT_ONCE}})
    if task.cancelled_at is not None or task.starts_at <= timezone.now():
        raise ValidationError(_("Only a task not yet started can be called for."))
    if strangers := [r for r in registrations
                     if r.code != task.code or r.state != RegistrationState.CONFIRMED]:
        raise ValidationError({"registrations": _(
            "Not a confirmed volunteer of this task's community: %(ids)s.")
            % {"ids": ", ".join(str(r.pk) for r in strangers[:10])}})
    called = []
    with transaction.atomic():
        for registration in registrations:
            participation = Participation.objects.filter(
                task=task, registration=registration).first() or Participation(
                task=task, registration=registration, created=timezone.now())
            if participation.state in (TAKING_PART, ParticipationState.CALLED):
                continue
            participation.state, participation.called = ParticipationState.CALLED, True
            save_with_history(participation, by=by, reason=_("called"))
            called.append(registration.person_id)
        starts = timezone.localtime(task.starts_at)
        notify_about(
            User.objects.filter(resident_account__person__in=called, is_active=True),
            kind=VOLUNTEERING, wording=gettext_noop(
                "You are called for a volunteer task: %(title)s, %(when)s. Accept or decline "
                "it on your volunteer page."),
            values={"title": task.title, "when": f"{starts:%Y-%m-%d %H:%M}"},
            link=reverse("volunteers:mine"), actor=user_of(by))
    return len(called)


def call_answer(*, by: Actor, task: Task, accept: bool) -> Participation:
    """A called volunteer accepts (the same limits as signing up) or declines."""
    registration = _own_registration(by, task)
    if not Participation.objects.filter(task=task, registration=registration,
                                        state=ParticipationState.CALLED).exists():
        raise ValidationError(_("You have no call for this task waiting."))
    if accept:
        return task_sign_up(by=by, task=task)
    return task_withdraw(by=by, task=task)


# -- hours and points ----------------------------------------------------------------------

def rule_of(code: str) -> PointRule:
    """The community's points rule, or the default (unsaved) where it has set none."""
    return PointRule.objects.filter(code=code).first() or PointRule(
        code=code, points_per_hour=DEFAULT_POINTS_PER_HOUR, urgent_bonus=Decimal(0),
        kind_bonus={})


def points_for(rule: PointRule, task: Task, hours: Decimal) -> Decimal:
    """Points for ``hours`` on ``task``: hours × points per hour, plus the bonus of the task's
    kind and, for an urgent task, the urgent bonus (the bonuses once per task, and only for
    hours given)."""
    if hours <= 0:
        return Decimal(0)
    points = hours * Decimal(rule.points_per_hour)
    points += Decimal(str(rule.kind_bonus.get(task.kind, 0)))
    if task.urgent:
        points += Decimal(rule.urgent_bonus)
    return points.quantize(Decimal("0.1"))


def _decimal(value: object, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Give a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Give a number.")})
    return number


def _task_hours(task: Task) -> Decimal:
    """The longest a task lasted, in hours rounded up to the half hour, at most 24."""
    seconds = Decimal((task.ends_at - task.starts_at).total_seconds())
    halves = (seconds / 1800).to_integral_value(rounding=ROUND_CEILING)
    return min(MOST_HOURS, halves / 2)


def _entry(*, by: Actor, person: Person, code: str, points: Decimal, reason: str,
           participation: Participation | None = None) -> LedgerEntry:
    return LedgerEntry.objects.create(
        person=person, code=code, points=points, reason=reason[:NOTE_CHARACTERS],
        task=participation.task if participation else None, participation=participation,
        by=user_of(by), by_name=by.name if isinstance(by, SystemActor) else "",
        created=timezone.now())


def hours_confirm(*, by: Actor, participation: Participation, hours: object,
                  reason: str = "") -> Participation:
    """The organizer (or staff of the community) confirms the hours of one who took part,
    once the task has ended. The points the hours earn by the community's rule are written to
    the ledger; confirming other hours later (a reason is then required) writes the
    difference as a correction, never an edit."""
    task = participation.task
    _manages(by, task.code)
    hours = _decimal(hours, "hours")
    if participation.state != TAKING_PART:
        raise ValidationError(_("Only one who took part has hours to confirm."))
    if task.cancelled_at is not None or task.ends_at > timezone.now():
        raise ValidationError(_("Hours are confirmed once the task has ended."))
    most = _task_hours(task)
    if not 0 <= hours <= most or hours * 2 != (hours * 2).to_integral_value():
        raise ValidationError({"hours": _("From 0 to %(most)s hours, in half hours.")
                               % {"most": most}})
    with transaction.atomic():
        participation = Participation.objects.select_for_update().select_related(
            "task", "registration").get(pk=participation.pk)
        changing = participation.hours is not None
        if changing:
            reason = stated_reason(reason, _("Say why the hours are changed."))
        target = points_for(rule_of(task.code), task, hours)
        written = participation.ledger.aggregate(total=Sum("points"))["total"] or Decimal(0)
        participation.hours, participation.hours_by = hours, user_of(by)
        participation.hours_at = timezone.now()
        why = (_("%(hours)s h on %(title)s") % {"hours": hours, "title": task.title}
               if not changing else
               _("correction, %(hours)s h on %(title)s: %(reason)s")
               % {"hours": hours, "title": task.title, "reason": reason})
        save_with_history(participation, by=by, reason=why[:NOTE_CHARACTERS])
        if target != written:
            _entry(by=by, person=participation.registration.person, code=task.code,
                   points=target - written, reason=why, participation=participation)
    return participation


def points_correct(*, by: Actor, registration: Registration, points: object,
                   reason: str) -> LedgerEntry:
    """Staff of the community correct a person's points there: a new ledger line with its
    reason (the lines already written never change)."""
    _manages(by, registration.code)
    points = _decimal(points, "points")
    reason = stated_reason(reason, _("Say why the points are corrected."))
    if points == 0 or abs(points) > MOST_CORRECTION or points != points.quantize(Decimal("0.1")):
        raise ValidationError({"points": _("From -%(most)s to %(most)s points, not 0, with at "
                                           "most one decimal.") % {"most": MOST_CORRECTION}})
    if len(reason) > NOTE_CHARACTERS:
        raise ValidationError({"reason": _("Keep it under %(count)s characters.")
                               % {"count": NOTE_CHARACTERS}})
    return _entry(by=by, person=registration.person, code=registration.code, points=points,
                  reason=_("correction: %(reason)s") % {"reason": reason})


def point_rule_set(*, by: Actor, code: str, points_per_hour: object, urgent_bonus: object = 0,
                   kind_bonus: dict[str, object] | None = None,
                   reason: str = "") -> PointRule:
    """Community staff set how their community's hours become points (with history); hours
    confirmed earlier keep the points they earned then."""
    require(by, Action.MANAGE_VOLUNTEERS)
    code = _community_checked(code, by)
    per_hour = _decimal(points_per_hour, "points_per_hour")
    urgent = _decimal(urgent_bonus, "urgent_bonus")
    bonuses: dict[str, str] = {}
    errors: dict[str, str] = {}
    if not 0 <= per_hour <= MOST_POINTS_PER_HOUR:
        errors["points_per_hour"] = _("From 0 to %(most)s.") % {"most": MOST_POINTS_PER_HOUR}
    if not 0 <= urgent <= MOST_BONUS:
        errors["urgent_bonus"] = _("From 0 to %(most)s.") % {"most": MOST_BONUS}
    for kind, value in (kind_bonus or {}).items():
        bonus = _decimal(value, "kind_bonus")
        if kind not in TaskKind.values or not 0 <= bonus <= MOST_BONUS:
            errors["kind_bonus"] = _("A bonus from 0 to %(most)s for a kind of task.") % {
                "most": MOST_BONUS}
            break
        if bonus:
            bonuses[kind] = str(bonus.quantize(Decimal("0.1")))
    if errors:
        raise ValidationError(errors)
    rule = PointRule.objects.filter(code=code).first() or PointRule(code=code)
    rule.points_per_hour = per_hour.quantize(Decimal("0.1"))
    rule.urgent_bonus = urgent.quantize(Decimal("0.1"))
    rule.kind_bonus = bonuses
    return save_with_history(rule, by=by, reason=" ".join(reason.split())[:NOTE_CHARACTERS]
                             or _("rule set"))
