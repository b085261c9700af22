"""Writes of lawful measures: propose, submit, approve or refuse, extend, lift, end, appeal,
and retention. Every write checks the actor's role and jurisdiction, keeps a ``MeasureStep``
(who and why) beside the record's history, and tells the person responsible for the household
(and, for an appeal, the deciding authority's staff) through the inbox.

A measure becomes active only through ``measure_approve``, which refuses it (a
``ValidationError`` naming each missing field) without its legal basis, a deciding authority
holding the power, approval by someone a level above that authority (never its proposer), a
bounded start and end, the person responsible, the time the person was notified, the
livelihood support (food, medicine, care for dependants) and the appeal channel.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.foundation.actors import Actor, actor_checked, user_of
from wangge.foundation.codes import PREFIX_LENGTH, is_within, scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import (
    ROLE_ACTIONS,
    Action,
    can,
    require,
    require_in_scope,
)
from wangge.notifications.models import MEASURE
from wangge.notifications.services import notify_about
from wangge.organizations.models import Organization
from wangge.people.models import Person
from wangge.places.models import Building

from .models import (
    BUILDING_KINDS,
    CLOSED_STATES,
    MAX_DAYS,
    PERSON_KINDS,
    Appeal,
    AppealState,
    LegalBasis,
    Measure,
    MeasureCount,
    MeasureKind,
    MeasurePower,
    MeasureState,
    MeasureStep,
    StepKind,
)

# What a proposal may set (and a draft's edit change).
FIELDS = ("cause", "legal_basis", "authority", "starts_on", "ends_on", "responsible",
          "notified_at", "food", "medicine", "dependants_care", "appeal_channel")
# Livelihood support: each must be answered (生活保障).
SUPPORT = ("food", "medicine", "dependants_care")


def _now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate()


def _actor_name(by: Actor) -> str:
    user = user_of(by)
    if user is None:
        return str(by)
    return (user.get_full_name() or user.get_username())[:150]


def _step(measure: Measure, kind: str, by: Actor, reason: str) -> MeasureStep:
    return MeasureStep.objects.create(measure=measure, kind=kind, actor=user_of(by),
                                      actor_name=_actor_name(by), reason=reason[:500],
                                      at=_now())


def _save(measure: Measure, kind: str, by: Actor, reason: str) -> Measure:
    save_with_history(measure, by=by, reason=f"{StepKind(kind).label}: {reason}"[:100])
    _step(measure, kind, by, reason)
    return measure


def authority_prefix(authority: Organization) -> str:
    return scope_prefix(authority.grid_code)


def _prefixes_of(prefix: str, *, proper: bool) -> list[str]:
    """The jurisdictions' prefixes that contain ``prefix`` (strictly above it if ``proper``)."""
    lengths = [length for length in sorted(set(PREFIX_LENGTH.values()))
               if length < len(prefix) or (length == len(prefix) and not proper)]
    return [prefix[:length] for length in lengths]


def above(user: Actor, authority: Organization) -> bool:
    """Whether ``user`` answers for a jurisdiction strictly above the authority's area (a
    superuser's covers everything)."""
    prefix = authority_prefix(authority)
    return any(prefix.startswith(own) and len(own) < len(prefix)
               for own in user.scope_prefixes)


# --- what a measure lacks ----------------------------------------------------------------

def missing(measure: Measure, *, on: datetime.date | None = None) -> dict[str, list[str]]:
    """Why ``measure`` cannot become active, by field (empty when nothing is missing)."""
    on = on or today()
    errors: dict[str, list[str]] = {}
    kind = measure.kind
    if kind not in MeasureKind.values:
        return {"kind": [_("Choose a kind of measure from the list.")]}
    if kind in PERSON_KINDS and measure.person_id is None:
        errors["person"] = [_("Name the person the measure is for.")]
    if kind in BUILDING_KINDS and measure.building_id is None:
        errors["building"] = [_("Name the building the measure is for.")]
    if not measure.cause.strip():
        errors["cause"] = [_("Say why the measure is needed.")]
    basis = measure.legal_basis
    if basis is None:
        errors["legal_basis"] = [_("Give the legal basis: the law and article.")]
    elif not basis.active:
        errors["legal_basis"] = [_("%(basis)s is no longer in force.") % {"basis": basis}]
    elif kind not in basis.kinds:
        errors["legal_basis"] = [_("%(basis)s does not provide for this measure.")
                                 % {"basis": basis}]
    authority = measure.authority
    if authority is None:
        errors["authority"] = [_("Name the deciding authority.")]
    else:
        power = MeasurePower.objects.filter(organization=authority).first()
        if power is None or kind not in power.kinds:
            errors["authority"] = [_("%(name)s holds no power to decide this measure.")
                                   % {"name": authority.name}]
        elif measure.grid_code and not measure.grid_code.startswith(
                authority_prefix(authority)):
            errors["authority"] = [_("%(name)s decides for another area.")
                                   % {"name": authority.name}]
    errors.update(_dates_missing(measure, on))
    responsible = measure.responsible
    if responsible is None:
        errors["responsible"] = [_("Name the person responsible for the household.")]
    elif not (responsible.is_active and can(responsible, Action.VIEW_MEASURES)
              and is_within(measure.grid_code, responsible.scope_prefixes)):
        # Not named: an id sent through the API must not tell whose account it is.
        errors["responsible"] = [_("The person responsible must answer for this "
                                   "household's grid and follow its measures.")]
    if measure.notified_at is None:
        errors["notified_at"] = [_("Say when the person was notified.")]
    elif measure.notified_at > _now() + datetime.timedelta(minutes=5):
        errors["notified_at"] = [_("The person cannot have been notified in the future.")]
    labels = {"food": _("food"), "medicine": _("medicine"),
              "dependants_care": _("care for dependants")}
    for name in SUPPORT:
        if not str(getattr(measure, name)).strip():
            errors[name] = [_("Say what is arranged for %(what)s (or why none is needed).")
                            % {"what": labels[name]}]
    if not measure.appeal_channel.strip():
        errors["appeal_channel"] = [_("Give the appeal channel shown to the person.")]
    return errors


def _dates_missing(measure: Measure, on: datetime.date) -> dict[str, list[str]]:
    if measure.starts_on is None:
        return {"starts_on": [_("Give the start date.")]}
    if measure.ends_on is None:
        return {"ends_on": [_("Give the end or review date.")]}
    if measure.ends_on < measure.starts_on:
        return {"ends_on": [_("The end comes before the start.")]}
    longest = MAX_DAYS[MeasureKind(measure.kind)]
    if (measure.ends_on - measure.starts_on).days + 1 > longest:
        return {"ends_on": [_("One approval covers at most %(days)s days: set a review date "
                              "within them, and extend if needed.") % {"days": longest}]}
    if measure.ends_on < on:
        return {"ends_on": [_("The end has already passed.")]}
    return {}


# --- powers --------------------------------------------------------------------------------

def measure_power_grant(*, organization: Organization, kinds: Iterable[str], by: Actor,
                        reason: str) -> MeasurePower:
    """Give ``organization`` the power to decide measures of ``kinds`` (replacing the kinds
    it held; an empty list withdraws it)."""
    require(by, Action.GRANT_MEASURE_POWERS)
    require_in_scope(by, organization.grid_code, "organization")
    kinds = sorted(set(kinds))
    if unknown := [kind for kind in kinds if kind not in MeasureKind.values]:
        raise ValidationError({"kinds": _("Unknown kinds of measure: %(kinds)s.")
                               % {"kinds": ", ".join(unknown)}})
    reason = stated_reason(reason)
    power = MeasurePower.objects.filter(organization=organization).first() or MeasurePower(
        organization=organization)
    power.kinds, power.grid_code = kinds, organization.grid_code
    with transaction.atomic():
        return save_with_history(power, by=by, reason=reason)


def legal_basis_save(*, basis: LegalBasis, by: Actor, reason: str) -> LegalBasis:
    """Add or change a legal basis (the back office): its kinds must be known ones."""
    require(by, Action.GRANT_MEASURE_POWERS)
    if not isinstance(basis.kinds, list) or not basis.kinds or any(
            kind not in MeasureKind.values for kind in basis.kinds):
        raise ValidationError({"kinds": _("List the kinds of measure it supports: %(kinds)s.")
                               % {"kinds": ", ".join(MeasureKind.values)}})
    basis.full_clean()
    with transaction.atomic():
        return save_with_history(basis, by=by, reason=stated_reason(reason))


# --- proposing ---------------------------------------------------------------------------------

def _subject(kind: str, person: Person | None, building: Building | None, by: Actor
             ) -> str:
    """The grid the measure is filed under, after checking what it is for."""
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("Choose a kind of measure from the list.")})
    if kind in PERSON_KINDS:
        if person is None or building is not None:
            raise ValidationError({"person": _("Name the person the measure is for.")})
        if person.merged_into_id is not None:
            raise ValidationError({"person": _("This record was merged into another.")})
        require_in_scope(by, person.grid_code, "person")
        return person.grid_code
    if building is None or person is not None:
        raise ValidationError({"building": _("Name the building the measure is for.")})
    if not building.grid_code:
        raise ValidationError({"building": _("The building is not placed in a grid.")})
    require_in_scope(by, building.grid_code, "building")
    return building.grid_code


def _set(measure: Measure, changes: dict[str, Any]) -> None:
    if unknown := set(changes) - set(FIELDS):
        raise TypeError(f"not a field of a proposal: {sorted(unknown)}")
    for name, value in changes.items():
        if name in ("cause", *SUPPORT, "appeal_channel"):
            value = (value or "").strip()
        elif name == "notified_at" and value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        setattr(measure, name, value)
    measure.full_clean(exclude=["person", "building", "legal_basis", "authority",
                                "responsible", "proposer", "approver"])


def measure_propose(*, kind: str, by: Actor, person: Person | None = None,
                    building: Building | None = None, submit: bool = False,
                    **fields: Any) -> Measure:
    """A new measure for a person or a building, a draft (or, with ``submit``, sent for
    approval at once: refused whole, naming each missing field, if anything is missing)."""
    require(by, Action.PROPOSE_MEASURES)
    grid_code = _subject(kind, person, building, by)
    measure = Measure(kind=kind, person=person, building=building, grid_code=grid_code,
                      proposer=user_of(by))
    _set(measure, fields)
    with transaction.atomic():
        _save(measure, StepKind.PROPOSED, by, str(_("Proposed")))
        if submit:
            measure_submit(measure=measure, by=by)
    return measure


def measure_update(*, measure: Measure, by: Actor, reason: str, **changes: Any) -> Measure:
    """Change a draft (a measure sent for approval is changed by refusing it and proposing
    again)."""
    require(by, Action.PROPOSE_MEASURES)
    require_in_scope(by, measure.grid_code)
    if measure.state != MeasureState.DRAFT:
        raise ValidationError({"state": _("Only a draft can be changed.")})
    reason = stated_reason(reason)
    _set(measure, changes)
    with transaction.atomic():
        return _save(measure, StepKind.CHANGED, by, reason)


def measure_submit(*, measure: Measure, by: Actor) -> Measure:
    """Send a draft for approval; refused with every missing field named."""
    require(by, Action.PROPOSE_MEASURES)
    require_in_scope(by, measure.grid_code)
    if measure.state != MeasureState.DRAFT:
        raise ValidationError({"state": _("Only a draft can be sent for approval.")})
    if errors := missing(measure):
        raise ValidationError(errors)
    measure.state = MeasureState.PENDING
    with transaction.atomic():
        _save(measure, StepKind.SUBMITTED, by, str(_("Sent for approval")))
        _tell(approvers_of(measure), measure, by,
              gettext_noop("%(kind)s of %(name)s waits for your approval."))
    return measure


# --- approving ---------------------------------------------------------------------------------

def _approval_checked(measure: Measure, by: Actor, proposer: User | None) -> User:
    require(by, Action.APPROVE_MEASURES)
    require_in_scope(by, measure.grid_code)
    approver = user_of(by)
    if approver is None:
        raise PermissionDenied(_("A measure is approved by a person, not by the system."))
    if proposer is not None and proposer.pk == approver.pk:
        raise ValidationError({"approver": _("Whoever proposes a measure cannot approve it.")})
    if measure.authority is not None and not above(approver, measure.authority):
        raise ValidationError({"approver": _(
            "A measure is approved a level above its deciding authority: your jurisdiction "
            "is not above %(name)s's.") % {"name": measure.authority.name}})
    return approver


def measure_approve(*, measure: Measure, by: Actor, reason: str) -> Measure:
    """Approve a measure waiting for approval (it becomes active) or its extension (its end
    moves). Refused, naming the field, while anything is missing."""
    reason = stated_reason(reason)
    if measure.state == MeasureState.ACTIVE and measure.extension_ends_on is not None:
        return _extension_approve(measure, by, reason)
    if measure.state != MeasureState.PENDING:
        raise ValidationError({"state": _("Only a measure waiting for approval can be "
                                          "approved.")})
    approver = _approval_checked(measure, by, measure.proposer)
    if errors := missing(measure):
        raise ValidationError(errors)
    measure.state, measure.approver, measure.activated_at = (
        MeasureState.ACTIVE, approver, _now())
    with transaction.atomic():
        _save(measure, StepKind.APPROVED, by, reason)
        _tell(concerned(measure), measure, by,
              gettext_noop("%(kind)s of %(name)s is active until %(end)s."))
    return measure


def _extension_proposer(measure: Measure) -> User | None:
    step = measure.steps.filter(kind=StepKind.EXTENSION_PROPOSED).order_by("-at", "-id").first()
    return step.actor if step is not None else None


def _extension_approve(measure: Measure, by: Actor, reason: str) -> Measure:
    approver = _approval_checked(measure, by, _extension_proposer(measure))
    assert measure.extension_ends_on is not None
    measure.ends_on, measure.extension_ends_on = measure.extension_ends_on, None
    measure.extension_reason, measure.approver = "", approver
    with transaction.atomic():
        _save(measure, StepKind.EXTENDED, by, reason)
        _tell(concerned(measure), measure, by,
              gettext_noop("%(kind)s of %(name)s was extended until %(end)s."))
    return measure


def measure_refuse(*, measure: Measure, by: Actor, reason: str) -> Measure:
    """Refuse a measure waiting for approval (it is lifted, never having been active), or an
    extension (the measure ends on its current end)."""
    reason = stated_reason(reason, _("Say why the approval is refused."))
    if measure.state == MeasureState.ACTIVE and measure.extension_ends_on is not None:
        _approval_checked(measure, by, _extension_proposer(measure))
        measure.extension_ends_on, measure.extension_reason = None, ""
        with transaction.atomic():
            _save(measure, StepKind.EXTENSION_REFUSED, by, reason)
            _tell(concerned(measure), measure, by, gettext_noop(
                "The extension of %(kind)s of %(name)s was refused: it ends on %(end)s."))
        return measure
    if measure.state != MeasureState.PENDING:
        raise ValidationError({"state": _("Only a measure waiting for approval can be "
                                          "refused.")})
    _approval_checked(measure, by, measure.proposer)
    measure.state, measure.closed_at = MeasureState.REFUSED, _now()
    with transaction.atomic():
        _save(measure, StepKind.REFUSED, by, reason)
        _tell(concerned(measure), measure, by,
              gettext_noop("%(kind)s of %(name)s was refused and will not apply."))
    return measure


def measure_extend(*, measure: Measure, ends_on: datetime.date, by: Actor, reason: str
                   ) -> Measure:
    """Ask to extend an active measure to ``ends_on``: a new approval, within the longest
    one approval covers from the current end."""
    require(by, Action.PROPOSE_MEASURES)
    require_in_scope(by, measure.grid_code)
    reason = stated_reason(reason, _("Say why the measure must go on."))
    if measure.state != MeasureState.ACTIVE:
        raise ValidationError({"state": _("Only an active measure can be extended.")})
    if measure.extension_ends_on is not None:
        raise ValidationError({"ends_on": _("An extension already waits for approval.")})
    assert measure.ends_on is not None
    longest = MAX_DAYS[MeasureKind(measure.kind)]
    if not isinstance(ends_on, datetime.date) or ends_on <= measure.ends_on:
        raise ValidationError({"ends_on": _("An extension ends after the current end.")})
    if (ends_on - measure.ends_on).days > longest:
        raise ValidationError({"ends_on": _("One approval covers at most %(days)s days: set "
                                            "a review date within them.") % {"days": longest}})
    measure.extension_ends_on, measure.extension_reason = ends_on, reason[:300]
    with transaction.atomic():
        _save(measure, StepKind.EXTENSION_PROPOSED, by, reason)
        _tell(approvers_of(measure), measure, by, gettext_noop(
            "An extension of %(kind)s of %(name)s waits for your approval."))
    return measure


# --- lifting and ending ------------------------------------------------------------------------

def measure_lift(*, measure: Measure, by: Actor, reason: str) -> Measure:
    """Lift a measure before its end (a draft or one waiting for approval is withdrawn)."""
    require(by, Action.PROPOSE_MEASURES)
    require_in_scope(by, measure.grid_code)
    reason = stated_reason(reason, _("Say why the measure is lifted."))
    if measure.state in CLOSED_STATES:
        raise ValidationError({"state": _("This measure is no longer in force.")})
    return _close(measure, MeasureState.LIFTED, by, reason)


def _close(measure: Measure, state: str, by: Actor, reason: str) -> Measure:
    was_active = measure.state == MeasureState.ACTIVE
    measure.state, measure.closed_at = state, _now()
    measure.extension_ends_on, measure.extension_reason = None, ""
    with transaction.atomic():
        _save(measure, StepKind.LIFTED if state == MeasureState.LIFTED else StepKind.ENDED,
              by, reason)
        if was_active:
            _tell(concerned(measure), measure, by, gettext_noop(
                "%(kind)s of %(name)s was lifted.") if state == MeasureState.LIFTED
                else gettext_noop("%(kind)s of %(name)s ended on %(end)s."))
    return measure


def measures_expire(*, by: Actor, on: datetime.date | None = None) -> int:
    """End every active measure whose end has passed (it lifts itself, and those concerned
    are told); an extension still waiting is dropped with it. Returns how many ended."""
    actor_checked(by)
    on = on or today()
    ended = 0
    for measure in Measure.objects.filter(state=MeasureState.ACTIVE, ends_on__lt=on).select_related(
            "person", "building", "responsible", "proposer").order_by("pk"):
        _close(measure, MeasureState.ENDED, by, str(_("The end date passed.")))
        ended += 1
    return ended


# --- appeals -------------------------------------------------------------------------------

def appeal_file(*, measure: Measure, text: str, contact: str = "", by: Actor) -> Appeal:
    """The person's appeal against their active measure: a task for the deciding authority's
    staff, due in ``WANGGE_MEASURE_APPEAL_DAYS``."""
    actor_checked(by)
    require_in_scope(by, measure.grid_code)
    text, contact = text.strip(), contact.strip()
    if measure.state not in (MeasureState.ACTIVE, MeasureState.PENDING):
        raise ValidationError({"measure": _("This measure is no longer in force.")})
    if not text:
        raise ValidationError({"text": _("Say what you object to.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("Keep the appeal under 2000 characters.")})
    if len(contact) > 100:
        raise ValidationError({"contact": _("Keep this under 100 characters.")})
    if measure.appeals.filter(state=AppealState.OPEN).exists():
        raise ValidationError({"text": _("An appeal against this measure already waits for "
                                         "an answer.")})
    now = _now()
    appeal = Appeal(measure=measure, grid_code=measure.grid_code, text=text, contact=contact,
                    filed_at=now,
                    due_at=now + datetime.timedelta(days=settings.WANGGE_MEASURE_APPEAL_DAYS))
    with transaction.atomic():
        appeal.save()
        _step(measure, StepKind.APPEALED, by, str(_("Appeal filed")))  # its words: the appeal
        _tell([*deciders_of(measure), measure.responsible], measure, by, gettext_noop(
            "%(name)s appealed against %(kind)s: answer by %(due)s."),
            due=timezone.localtime(appeal.due_at).strftime("%Y-%m-%d %H:%M"))
    return appeal


def appeal_answer(*, appeal: Appeal, upheld: bool, answer: str, by: Actor) -> Appeal:
    """Answer an appeal: upheld (the measure is lifted) or rejected, with the reasons."""
    require(by, Action.PROPOSE_MEASURES)
    measure = appeal.measure
    authority = measure.authority
    if authority is None or not is_within(authority_prefix(authority), by.scope_prefixes):
        raise PermissionDenied(_("An appeal is answered by the deciding authority's staff."))
    require_in_scope(by, measure.grid_code)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Give the reasons for the answer.")})
    if appeal.state != AppealState.OPEN:
        raise ValidationError({"answer": _("This appeal was already answered.")})
    appeal.state = AppealState.UPHELD if upheld else AppealState.REJECTED
    appeal.answer, appeal.answered_by, appeal.answered_at = answer, user_of(by), _now()
    with transaction.atomic():
        appeal.save()
        _step(measure, StepKind.APPEAL_UPHELD if upheld else StepKind.APPEAL_REJECTED, by,
              answer)
        if upheld and measure.state not in CLOSED_STATES:
            _close(measure, MeasureState.LIFTED, by, answer)
        elif not upheld:
            _tell(concerned(measure), measure, by, gettext_noop(
                "The appeal against %(kind)s of %(name)s was rejected."))
    return appeal


# --- who hears of it -----------------------------------------------------------------------------

def _users_over(prefixes: list[str], action: Action) -> list[User]:
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    return list(User.objects.filter(is_active=True, role__in=roles,
                                    jurisdictions__prefix__in=prefixes).distinct())


def approvers_of(measure: Measure) -> list[User]:
    """Who may approve it: a level above its deciding authority."""
    if measure.authority is None:
        return []
    return _users_over(_prefixes_of(authority_prefix(measure.authority), proper=True),
                       Action.APPROVE_MEASURES)


def deciders_of(measure: Measure) -> list[User]:
    """The deciding authority's staff: who may propose measures there."""
    if measure.authority is None:
        return []
    return _users_over(_prefixes_of(authority_prefix(measure.authority), proper=False),
                       Action.PROPOSE_MEASURES)


def concerned(measure: Measure) -> list[User | None]:
    """Who hears of each step: the person responsible for the household, the proposer."""
    return [measure.responsible, measure.proposer]


def _tell(recipients: Iterable[User | None], measure: Measure, by: Actor, wording: str,
          **extra: str) -> None:
    with translation.override(None):  # the label's msgid: translated for each reader
        kind = str(MeasureKind(measure.kind).label)
    values = {"kind": kind, "name": measure.subject_name,
              "end": measure.ends_on.isoformat() if measure.ends_on else "", **extra}
    notify_about(recipients, kind=MEASURE, wording=wording, values=values,
                 link=reverse("measures:detail", args=[measure.pk]), actor=user_of(by))


# --- retention -------------------------------------------------------------------------------

def measures_purge(now: datetime.datetime | None = None) -> int:
    """Reduce measures lifted, ended or refused more than WANGGE_MEASURE_RETENTION_DAYS ago to
    counts per grid, kind and month proposed (``MeasureCount``), and delete them with their
    steps, appeals and history. Returns how many measures were deleted."""
    cutoff = (now or _now()) - datetime.timedelta(days=settings.WANGGE_MEASURE_RETENTION_DAYS)
    old = Measure.objects.filter(state__in=CLOSED_STATES, closed_at__lt=cutoff)
    with transaction.atomic():
        counted = (old.order_by().annotate(month=TruncMonth("created_at"))
                   .values("grid_code", "kind", "month").annotate(
                       measures=Count("pk", distinct=True),
                       activated=Count("pk", filter=Q(activated_at__isnull=False),
                                       distinct=True),
                       appeal_count=Count("appeals", distinct=True),
                       upheld_count=Count("appeals", distinct=True,
                                          filter=Q(appeals__state=AppealState.UPHELD))))
        for row in counted:
            month = row["month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            numbers = {"measures": row["measures"], "activated": row["activated"],
                       "appeals": row["appeal_count"], "appeals_upheld": row["upheld_count"]}
            count, created = MeasureCount.objects.get_or_create(
                grid_code=row["grid_code"], kind=row["kind"], month=month, defaults=numbers)
            if not created:
                MeasureCount.objects.filter(pk=count.pk).update(
                    **{name: F(name) + value for name, value in numbers.items()})
        ids = list(old.values_list("pk", flat=True))
        Appeal.objects.filter(measure_id__in=ids).delete()
        MeasureStep.objects.filter(measure_id__in=ids).delete()
        Measure.objects.filter(pk__in=ids).delete()
        # Last: deleting a measure writes a history row of its own.
        Measure.history.filter(id__in=ids).delete()
    return len(ids)
