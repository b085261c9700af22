"""Writes of needs and offers: post a need (for a grid, from a care visit or from an event),
record an offer, match part of an offer to a need with a person responsible, confirm the
delivery (or cancel the match), close a need or an offer, record a donation.

Quantities are whole numbers within ``MOST``. A match locks its need and its offer
(``SELECT … FOR UPDATE``, need first, then offer, always in that order) and checks what each
still has while holding them, so two staff matching at once never commit more than a need
needs or an offer holds.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.care.models import CareVisit
from wangge.divisions.models import Division, Grid
from wangge.events.models import Event
from wangge.foundation.actors import Actor, SystemActor, actor_checked, user_of
from wangge.foundation.codes import Level, is_within, level_of, scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, Role, can, require, require_in_scope
from wangge.normalisers.phones import normalise_phone
from wangge.organizations.models import Organization

from .models import (
    MOST,
    Category,
    Donation,
    Kind,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Urgency,
)
from .selectors import may_offer_for

ITEM_CHARACTERS = 60
UNIT_CHARACTERS = 20
TEXT_CHARACTERS = 500
NAME_CHARACTERS = 100
NOTE_CHARACTERS = 200
# How far ahead a date may lie (a need's "needed by", an offer's "available until").
LONGEST_AHEAD = datetime.timedelta(days=366)


def _text(value: str) -> str:
    return " ".join(value.split())


def _quantity(errors: dict[str, list[str]], field: str, value: Any, least: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= MOST:
        errors.setdefault(field, []).append(
            _("Give a whole number from %(least)s to %(most)s.") % {"least": least,
                                                                     "most": MOST})


def _what_checked(errors: dict[str, list[str]], *, kind: str, category: str, item: str,
                  unit: str, quantity: Any, description: str) -> None:
    if kind not in Kind.values:
        errors["kind"] = [_("Choose goods, a service or time.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if not item or len(item) > ITEM_CHARACTERS:
        errors["item"] = [_("Name the item in at most %(count)s characters.")
                          % {"count": ITEM_CHARACTERS}]
    if not unit or len(unit) > UNIT_CHARACTERS:
        errors["unit"] = [_("Give the unit in at most %(count)s characters.")
                          % {"count": UNIT_CHARACTERS}]
    _quantity(errors, "quantity", quantity)
    if len(description) > TEXT_CHARACTERS:
        errors["description"] = [_("Keep the description to %(count)s characters.")
                                 % {"count": TEXT_CHARACTERS}]


def _date_checked(errors: dict[str, list[str]], field: str,
                  value: datetime.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value < today:
        errors[field] = [_("This date has passed.")]
    elif value > today + LONGEST_AHEAD:
        errors[field] = [_("Choose a date within a year.")]


def need_status(need: Need) -> str:
    """What a need's quantities say it is (a closed need stays closed)."""
    if need.status == NeedStatus.CLOSED:
        return NeedStatus.CLOSED
    if need.delivered >= need.quantity:
        return NeedStatus.DELIVERED
    if need.matched >= need.quantity:
        return NeedStatus.MATCHED
    if need.matched > 0:
        return NeedStatus.PARTLY_MATCHED
    return NeedStatus.OPEN


def offer_status(offer: Offer) -> str:
    if offer.status == OfferStatus.CLOSED:
        return OfferStatus.CLOSED
    return OfferStatus.TAKEN if offer.committed >= offer.quantity else OfferStatus.OPEN


def need_post(*, by: Actor, grid_code: str, kind: str, category: str, item: str,
              quantity: int, unit: str, description: str = "",
              urgency: str = Urgency.NORMAL, needed_by: datetime.date | None = None,
              event: Event | None = None, care_visit: CareVisit | None = None) -> Need:
    """Post a need of a grid of ``by``'s jurisdiction. From an event or a care visit, the
    need is in its grid and keeps an internal link to it; its public text is what staff
    write here, never the event's or the visit's."""
    require(by, Action.POST_NEEDS)
    if care_visit is not None:
        grid_code = care_visit.grid_code
        event = event or care_visit.event
    elif event is not None:
        grid_code = event.grid_code
        care_visit = CareVisit.objects.filter(event=event).first()
    item, unit, description = _text(item), _text(unit), description.strip()
    errors: dict[str, list[str]] = {}
    if not Grid.objects.filter(code=grid_code).exists():
        errors["grid_code"] = [_("Choose a grid.")]
    elif not is_within(grid_code, actor_checked(by).scope_prefixes):
        errors["grid_code"] = [_("%(code)s is outside your jurisdiction.")
                               % {"code": grid_code}]
    _what_checked(errors, kind=kind, category=category, item=item, unit=unit,
                  quantity=quantity, description=description)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose how urgent it is.")]
    _date_checked(errors, "needed_by", needed_by)
    if errors:
        raise ValidationError(errors)
    need = Need(grid_code=grid_code, kind=kind, category=category, item=item,
                quantity=quantity, unit=unit, description=description, urgency=urgency,
                needed_by=needed_by, event=event, care_visit=care_visit,
                posted_by=user_of(by), posted_at=timezone.now())
    source = (_("posted from a care visit") if care_visit is not None
              else _("posted from an event") if event is not None else _("posted"))
    with transaction.atomic():
        return save_with_history(need, by=by, reason=source)


def _area_checked(errors: dict[str, list[str]], code: str, by: Actor) -> None:
    try:
        level_of(code)
    except ValidationError:
        errors["area_code"] = [_("Choose the area the offer serves.")]
        return
    exists = (Grid if len(code) == 15 else Division).objects.filter(code=code).exists()
    if not exists or not is_within(code, actor_checked(by).scope_prefixes):
        errors["area_code"] = [_("%(code)s is not an area of your jurisdiction.")
                               % {"code": code}]


def _offering(by: Actor, organization: Organization | None) -> None:
    """Refuse an offer in ``organization``'s name to anyone but staff who match needs and
    the organization's own desk (``selectors.may_offer_for``)."""
    require(by, Action.MATCH_NEEDS, Action.OFFER_HELP)
    user = user_of(by)
    if user is not None and not may_offer_for(user, organization):
        raise PermissionDenied(_("You may offer help only in the name of an organization you "
                                 "answer for."))


def offer_record(*, by: Actor, area_code: str, kind: str, category: str, item: str,
                 quantity: int, unit: str, organization: Organization | None = None,
                 donor_name: str = "", donor_contact: str = "", named_publicly: bool = False,
                 description: str = "", available_until: datetime.date | None = None
                 ) -> Offer:
    """Record what an organization of the registry, or a named donor, offers to the needs of
    an area of ``by``'s jurisdiction (a grid, or a division: every grid in it); an
    organization's own desk offers in its name (``_offering``)."""
    _offering(by, organization)
    item, unit, description = _text(item), _text(unit), description.strip()
    donor_name, donor_contact = _text(donor_name), _text(donor_contact)
    errors: dict[str, list[str]] = {}
    _area_checked(errors, area_code, by)
    _what_checked(errors, kind=kind, category=category, item=item, unit=unit,
                  quantity=quantity, description=description)
    if (organization is None) == (not donor_name):
        errors["donor_name"] = [_("Choose an organization or name the donor (one of the "
                                  "two).")]
    elif len(donor_name) > NAME_CHARACTERS:
        errors["donor_name"] = [_("Keep the name to %(count)s characters.")
                                % {"count": NAME_CHARACTERS}]
    if donor_contact:
        try:
            donor_contact = normalise_phone(donor_contact)
        except ValidationError:
            errors["donor_contact"] = [_("Give a phone number.")]
    _date_checked(errors, "available_until", available_until)
    if errors:
        raise ValidationError(errors)
    offer = Offer(area_code=area_code, organization=organization, donor_name=donor_name,
                  donor_contact=donor_contact, named_publicly=named_publicly, kind=kind,
                  category=category, item=item, quantity=quantity, unit=unit,
                  description=description, available_until=available_until,
                  recorded_by=user_of(by), recorded_at=timezone.now())
    with transaction.atomic():
        return save_with_history(offer, by=by, reason=_("recorded"))


def may_be_responsible(user: User, need: Need) -> bool:
    """Whether ``user`` may be the person responsible for delivering to ``need``: staff who
    work the board and answer for its grid."""
    return (user.is_active and can(user, Action.POST_NEEDS)
            and is_within(need.grid_code, user.scope_prefixes))


def grid_worker_of(grid_code: str) -> User | None:
    """A grid worker who answers for exactly this grid (the default person responsible)."""
    return (User.objects.filter(role=Role.GRID_WORKER, is_active=True,
                                jurisdictions__code=grid_code).order_by("pk").first())


def match_confirm(*, by: Actor, need: Need, offer: Offer, quantity: int,
                  assignee: User | None = None, note: str = "") -> Match:
    """Give ``quantity`` of ``offer`` to ``need``: at most what the need still needs and what
    the offer still has, both read under a row lock. The match is a delivery task for
    ``assignee`` (by default the grid worker of the need's grid, else whoever matched)."""
    require(by, Action.MATCH_NEEDS)
    note = _text(note)
    errors: dict[str, list[str]] = {}
    _quantity(errors, "quantity", quantity)
    if len(note) > NOTE_CHARACTERS:
        errors["note"] = [_("Keep the note to %(count)s characters.")
                          % {"count": NOTE_CHARACTERS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Need first, then offer: every match takes the two locks in the same order.
        locked_need = Need.objects.select_for_update().get(pk=need.pk)
        locked_offer = Offer.objects.select_for_update().get(pk=offer.pk)
        require_in_scope(by, locked_need.grid_code, "need")
        # An offer of a wider area (a street's, seen by a community) serves the need when
        # its area holds the need's grid, which is in the caller's jurisdiction.
        if not is_within(locked_need.grid_code, [scope_prefix(locked_offer.area_code)]):
            errors["offer"] = [_("This offer does not serve the need's grid.")]
        if (locked_offer.kind, locked_offer.category) != (locked_need.kind,
                                                          locked_need.category):
            errors["offer"] = [_("The offer is of another kind or category than the need.")]
        if locked_need.status in (NeedStatus.CLOSED, NeedStatus.DELIVERED):
            errors["need"] = [_("This need is closed.")]
        if locked_offer.status == OfferStatus.CLOSED or (
                locked_offer.available_until is not None
                and locked_offer.available_until < timezone.localdate()):
            errors["offer"] = [_("This offer is closed or has expired.")]
        if not errors and quantity > locked_need.remaining:
            errors["quantity"] = [_("The need still needs only %(count)s %(unit)s.")
                                  % {"count": locked_need.remaining,
                                     "unit": locked_need.unit}]
        if not errors and quantity > locked_offer.remaining:
            errors["quantity"] = [_("The offer has only %(count)s %(unit)s left.")
                                  % {"count": locked_offer.remaining,
                                     "unit": locked_offer.unit}]
        responsible = assignee or grid_worker_of(locked_need.grid_code) or user_of(by)
        if responsible is None:
            errors["assignee"] = [_("Choose the person responsible for the delivery.")]
        elif not may_be_responsible(responsible, locked_need):
            errors["assignee"] = [_("The person responsible must be staff who answer for "
                                    "the need's grid.")]
        if errors:
            raise ValidationError(errors)
        assert responsible is not None
        locked_need.matched += quantity
        locked_need.status = need_status(locked_need)
        locked_offer.committed += quantity
        locked_offer.status = offer_status(locked_offer)
        reason = _("matched: %(count)s %(unit)s") % {"count": quantity,
                                                      "unit": locked_need.unit}
        save_with_history(locked_need, by=by, reason=reason)
        save_with_history(locked_offer, by=by, reason=reason)
        match = Match(need=locked_need, offer=locked_offer, grid_code=locked_need.grid_code,
                      quantity=quantity, assignee=responsible, matched_by=user_of(by),
                      matched_at=timezone.now(), note=note)
        return save_with_history(match, by=by, reason=_("matched"))


def may_confirm_delivery(user: Actor, match: Match) -> bool:
    """The grid worker of the need's grid, or the need's poster (the system too)."""
    if isinstance(user, SystemActor) or user.is_superuser:
        return is_within(match.grid_code, user.scope_prefixes)
    if not can(user, Action.POST_NEEDS):
        return False
    if match.need.posted_by_id == user.pk:
        return True
    return user.role == Role.GRID_WORKER and is_within(match.grid_code, user.scope_prefixes)


def _locked(match: Match) -> tuple[Match, Need, Offer]:
    need = Need.objects.select_for_update().get(pk=match.need_id)
    offer = Offer.objects.select_for_update().get(pk=match.offer_id)
    locked = Match.objects.select_for_update().get(pk=match.pk)
    return locked, need, offer


def match_deliver(*, by: Actor, match: Match, quantity: int, note: str = "") -> Match:
    """Confirm a delivery with the quantity that arrived (0 to the match's): the need and the
    offer count it delivered, and get back what did not arrive. A donor's gift is recorded as
    a donation to the need's grid."""
    actor_checked(by)
    if not may_confirm_delivery(by, match):
        raise PermissionDenied(_("The grid worker of the need's grid, or whoever posted the "
                                 "need, confirms its delivery."))
    note = _text(note)
    errors: dict[str, list[str]] = {}
    _quantity(errors, "quantity", quantity, least=0)
    if len(note) > NOTE_CHARACTERS:
        errors["note"] = [_("Keep the note to %(count)s characters.")
                          % {"count": NOTE_CHARACTERS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, need, offer = _locked(match)
        if locked.status != MatchStatus.ASSIGNED:
            raise ValidationError(_("This match is delivered or cancelled already."))
        if quantity > locked.quantity:
            raise ValidationError({"quantity": _(
                "At most %(count)s %(unit)s were matched.") % {"count": locked.quantity,
                                                              "unit": need.unit}})
        short = locked.quantity - quantity
        need.matched -= short
        need.delivered += quantity
        offer.committed -= short
        offer.delivered += quantity
        need.status, offer.status = need_status(need), offer_status(offer)
        reason = _("delivered: %(count)s %(unit)s") % {"count": quantity, "unit": need.unit}
        save_with_history(need, by=by, reason=reason)
        save_with_history(offer, by=by, reason=reason)
        locked.status, locked.delivered_quantity = MatchStatus.DELIVERED, quantity
        locked.delivered_at, locked.confirmed_by = timezone.now(), user_of(by)
        if note:
            locked.note = note
        save_with_history(locked, by=by, reason=_("delivered"))
        if quantity:
            save_with_history(Donation(
                code=need.grid_code, organization=offer.organization, donor_name=offer.donor,
                named_publicly=offer.named_publicly, category=need.category, item=offer.item,
                quantity=quantity, unit=offer.unit, donated_on=timezone.localdate(),
                need=need, match=locked, recorded_by=user_of(by),
                recorded_at=timezone.now()), by=by, reason=_("delivered"))
        return locked


def match_cancel(*, by: Actor, match: Match, reason: str) -> Match:
    """Cancel a match not yet delivered: the need and the offer get its quantity back."""
    require(by, Action.MATCH_NEEDS)
    require_in_scope(by, match.grid_code, "match")
    reason = stated_reason(reason, _("Say why the match is cancelled."))[:NOTE_CHARACTERS]
    with transaction.atomic():
        locked, need, offer = _locked(match)
        if locked.status != MatchStatus.ASSIGNED:
            raise ValidationError(_("This match is delivered or cancelled already."))
        need.matched -= locked.quantity
        offer.committed -= locked.quantity
        need.status, offer.status = need_status(need), offer_status(offer)
        save_with_history(need, by=by, reason=reason)
        save_with_history(offer, by=by, reason=reason)
        locked.status = MatchStatus.CANCELLED
        return save_with_history(locked, by=by, reason=reason)


def need_close(*, by: Actor, need: Need, reason: str) -> Need:
    """Close a need (met another way, no longer needed): its poster, or staff who match in
    its grid. Matches still to deliver are cancelled first."""
    require(by, Action.POST_NEEDS)
    require_in_scope(by, need.grid_code, "need")
    if user_of(by) is not None and need.posted_by_id != by.pk and not can(
            by, Action.MATCH_NEEDS):
        raise PermissionDenied(_("Only whoever posted the need, or staff who match needs, "
                                 "may close it."))
    reason = stated_reason(reason, _("Say why the need is closed."))[:NOTE_CHARACTERS]
    with transaction.atomic():
        if need.matches.filter(status=MatchStatus.ASSIGNED).exists():
            raise ValidationError(_("Deliver or cancel its matches first."))
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status == NeedStatus.CLOSED:
            raise ValidationError(_("This need is closed already."))
        locked.status, locked.close_reason = NeedStatus.CLOSED, reason
        return save_with_history(locked, by=by, reason=reason)


def offer_close(*, by: Actor, offer: Offer, reason: str) -> Offer:
    """Close an offer (withdrawn by the donor, used up elsewhere); matches under way stay."""
    _offering(by, offer.organization)
    require_in_scope(by, offer.area_code, "offer")
    reason = stated_reason(reason, _("Say why the offer is closed."))[:NOTE_CHARACTERS]
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if locked.status == OfferStatus.CLOSED:
            raise ValidationError(_("This offer is closed already."))
        locked.status, locked.close_reason = OfferStatus.CLOSED, reason
        return save_with_history(locked, by=by, reason=reason)


def donation_record(*, by: Actor, code: str, category: str, item: str, quantity: int,
                    unit: str, donated_on: datetime.date,
                    organization: Organization | None = None, donor_name: str = "",
                    named_publicly: bool = False) -> Donation:
    """Record a gift made outside the board, to a grid or a community of ``by``'s
    jurisdiction."""
    require(by, Action.MATCH_NEEDS)
    item, unit, donor_name = _text(item), _text(unit), _text(donor_name)
    errors: dict[str, list[str]] = {}
    try:
        level = level_of(code)
    except ValidationError:
        level = None
    exists = level in (Level.GRID, Level.COMMUNITY) and (
        Grid if level == Level.GRID else Division).objects.filter(code=code).exists()
    if not exists:
        errors["code"] = [_("Choose the grid or community it went to.")]
    elif not is_within(code, actor_checked(by).scope_prefixes):
        errors["code"] = [_("%(code)s is outside your jurisdiction.") % {"code": code}]
    _what_checked(errors, kind=Kind.GOODS, category=category, item=item, unit=unit,
                  quantity=quantity, description="")
    if (organization is None) == (not donor_name):
        errors["donor_name"] = [_("Choose an organization or name the donor (one of the "
                                  "two).")]
    elif len(donor_name) > NAME_CHARACTERS:
        errors["donor_name"] = [_("Keep the name to %(count)s characters.")
                                % {"count": NAME_CHARACTERS}]
    today = timezone.localdate()
    if donated_on > today or donated_on < today - datetime.timedelta(days=3 * 366):
        errors["donated_on"] = [_("Give a day within the last three years.")]
    if errors:
        raise ValidationError(errors)
    donation = Donation(code=code, organization=organization,
                        donor_name=organization.name if organization else donor_name,
                        named_publicly=named_publicly, category=category, item=item,
                        quantity=quantity, unit=unit, donated_on=donated_on,
                        recorded_by=user_of(by), recorded_at=timezone.now())
    with transaction.atomic():
        return save_with_history(donation, by=by, reason=_("recorded"))
