"""Reads of needs and offers: the board of a jurisdiction, the offers that could meet a need
(ranked), the deliveries waiting for someone, and the public sums of donations.

Needs and matches are scoped by their grid, offers by the area they serve: an offer is seen
where its area overlaps the caller's jurisdiction, inside it or around it (a street's offer is
on the board of each of its communities and grids, which it serves).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.access.models import User
from wangge.divisions.selectors import area_names
from wangge.foundation.codes import Level, level_of, parent_code, prefix_range, scope_prefix
from wangge.foundation.permissions import Action, Role, can
from wangge.organizations.models import Organization

from .models import Category, Donation, Match, MatchStatus, Need, NeedStatus, Offer, OfferStatus

# Needs whose suggestions one board computes, and candidate offers read for them.
SUGGESTED_NEEDS = 50
CANDIDATES_READ = 1000
SUGGESTIONS_SHOWN = 3
# Rows of the public page's tables.
PUBLIC_ROWS = 100
OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.PARTLY_MATCHED)


def areas_around(code: str) -> list[str]:
    """``code`` and the codes of every division above it (its community, street, ...
    province): the areas an offer may serve to reach it."""
    around = [code]
    current = parent_code(code)
    while current is not None:
        around.append(current)
        current = parent_code(current)
    return around


def needs_visible_to(user: User) -> QuerySet[Need]:
    if not can(user, Action.POST_NEEDS):
        return Need.objects.none()
    return Need.objects.in_scope(user.scope_prefixes).select_related("posted_by")


def organizations_answered_for(user: User) -> QuerySet[Organization]:
    """The organizations ``user`` is a responder of (events.Responder): the desk's own."""
    return Organization.objects.filter(responders__user=user)


def may_offer_for(user: User, organization: Organization | None) -> bool:
    """Whether ``user`` may record or close an offer in ``organization``'s name: staff who
    match needs, anyone's; an organization's desk (``OFFER_HELP``), its own organization's."""
    if can(user, Action.MATCH_NEEDS):
        return True
    return (organization is not None and can(user, Action.OFFER_HELP)
            and organizations_answered_for(user).filter(pk=organization.pk).exists())


def offers_visible_to(user: User) -> QuerySet[Offer]:
    """Offers for an area inside the caller's jurisdiction or around it; for an
    organization's desk (``OFFER_HELP``), the offers of the organizations it answers for."""
    offers = Offer.objects.select_related("organization")
    if not can(user, Action.POST_NEEDS):
        if can(user, Action.OFFER_HELP):
            return offers.filter(organization__in=organizations_answered_for(user))
        return Offer.objects.none()
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return offers
    condition = Q(pk__in=[])
    for jurisdiction in user.jurisdictions.all():
        condition |= prefix_range("area_code", jurisdiction.prefix)
        condition |= Q(area_code__in=areas_around(jurisdiction.code)[1:])
    return offers.filter(condition)


def matches_visible_to(user: User) -> QuerySet[Match]:
    """Matches of needs of the caller's grids; for an organization's desk, those of its own
    offers (wherever they went: it follows its help)."""
    matches = Match.objects.select_related("need", "offer__organization", "assignee",
                                           "confirmed_by")
    if not can(user, Action.POST_NEEDS):
        if can(user, Action.OFFER_HELP):
            return matches.filter(offer__organization__in=organizations_answered_for(user))
        return Match.objects.none()
    return matches.in_scope(user.scope_prefixes)


def donations_visible_to(user: User) -> QuerySet[Donation]:
    if not can(user, Action.POST_NEEDS):
        return Donation.objects.none()
    return Donation.objects.in_scope(user.scope_prefixes)


def offers_open(offers: QuerySet[Offer], on: datetime.date | None = None) -> QuerySet[Offer]:
    """Offers that can still be matched: open, with something left, not expired."""
    today = on or timezone.localdate()
    return offers.filter(status=OfferStatus.OPEN).filter(
        Q(available_until=None) | Q(available_until__gte=today))


# ---- matching ------------------------------------------------------------------------------

PLACE_RANKS = {Level.COMMUNITY: 1, Level.STREET: 2, Level.DISTRICT: 3}


def place_rank(need_grid: str, area_code: str) -> int | None:
    """How near an offer's area is to a need's grid: 0 the same grid, 1 its community, 2 its
    street, 3 its district, 4 wider; None when the area does not hold the grid."""
    if area_code == need_grid:
        return 0
    if len(area_code) != 12 or not need_grid.startswith(scope_prefix(area_code)):
        return None
    return PLACE_RANKS.get(level_of(area_code), 4)


@dataclass(frozen=True)
class Suggestion:
    offer: Offer
    place: int  # see place_rank
    covers: int  # how much of what the need still needs the offer can give


def ranked_offers(need: Need, offers: Iterable[Offer]) -> list[Suggestion]:
    """The offers that could meet ``need``, best first: same kind and category, an area that
    holds the need's grid, something left; ranked by place (same grid, community, street,
    district, wider), then by how much of the need they cover (more first), then by the
    earlier end of availability (none last), then the older offer."""
    needed = need.remaining
    found = []
    for offer in offers:
        if (offer.kind, offer.category) != (need.kind, need.category) or offer.remaining <= 0:
            continue
        place = place_rank(need.grid_code, offer.area_code)
        if place is None:
            continue
        found.append(Suggestion(offer=offer, place=place, covers=min(offer.remaining, needed)))
    return sorted(found, key=lambda found: (
        found.place, -found.covers, found.offer.available_until or datetime.date.max,
        found.offer.pk))


def candidates_for(user: User, need: Need) -> list[Suggestion]:
    """The offers ``user`` sees that could meet ``need`` (one query), ranked."""
    offers = offers_open(offers_visible_to(user)).filter(
        kind=need.kind, category=need.category, area_code__in=areas_around(need.grid_code))
    return ranked_offers(need, offers.order_by("pk")[:CANDIDATES_READ])


def suggestions_for(user: User, needs: Sequence[Need]) -> dict[int, list[Suggestion]]:
    """For each open need of ``needs`` (the first ``SUGGESTED_NEEDS``), its best
    ``SUGGESTIONS_SHOWN`` offers: one query for all of them."""
    needs = [need for need in needs[:SUGGESTED_NEEDS] if need.status in OPEN_NEEDS]
    if not needs:
        return {}
    kinds = Q(pk__in=[])
    for kind, category in {(need.kind, need.category) for need in needs}:
        kinds |= Q(kind=kind, category=category)
    areas = {area for need in needs for area in areas_around(need.grid_code)}
    offers = list(offers_open(offers_visible_to(user)).filter(kinds, area_code__in=areas)
                  .order_by("pk")[:CANDIDATES_READ])
    return {need.pk: ranked_offers(need, offers)[:SUGGESTIONS_SHOWN] for need in needs}


# ---- deliveries ----------------------------------------------------------------------------

def deliveries_waiting(user: User) -> QuerySet[Match]:
    """Matches still to deliver that wait for ``user``: those they are responsible for, and
    for a grid worker those of their grids, whose delivery they confirm."""
    if not can(user, Action.POST_NEEDS):
        return Match.objects.none()
    waiting = matches_visible_to(user).filter(status=MatchStatus.ASSIGNED)
    if user.role != Role.GRID_WORKER:
        waiting = waiting.filter(assignee=user)
    return waiting.order_by("need__needed_by", "matched_at", "pk")


# ---- the public sums -----------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


def donation_sums(code: str, period: Period) -> dict[str, Any]:
    """What was given inside the area ``code`` (a division) over ``period``, in sums only:
    per category and unit, per item, per community, the number of donors and the names of
    those who agreed to be named. Never a need's text, a resident or a donor who did not
    agree."""
    donations = Donation.objects.in_scope([scope_prefix(code)]).filter(
        donated_on__gte=period.start, donated_on__lte=period.end)
    by_category = list(donations.order_by().values("category", "unit")
                       .annotate(quantity=Sum("quantity"), gifts=Count("pk"))
                       .order_by("category", "unit")[:PUBLIC_ROWS])
    for row in by_category:
        row["category_name"] = str(Category(row["category"]).label)
    by_item = list(donations.order_by().values("category", "item", "unit")
                   .annotate(quantity=Sum("quantity")).order_by("-quantity", "item")
                   [:PUBLIC_ROWS])
    by_community = [dict(row) for row in (
        donations.order_by().annotate(community=Substr("code", 1, 12)).values("community")
        .annotate(gifts=Count("pk"), donors=Count("donor_name", distinct=True))
        .order_by("community")[:PUBLIC_ROWS])]
    names = area_names(row["community"] for row in by_community)
    for row in by_community:
        row["name"] = names.get(row["community"], row["community"])
    donors = donations.order_by().values("donor_name").distinct().count()
    named = list(donations.filter(named_publicly=True).order_by("donor_name")
                 .values_list("donor_name", flat=True).distinct()[:PUBLIC_ROWS])
    return {
        "by_category": by_category,
        "by_item": by_item,
        "by_community": by_community,
        "donors": donors,
        "gifts": donations.count(),
        "named_donors": named,
    }
