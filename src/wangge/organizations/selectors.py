"""Reads of organizations: those belonging to, or serving, the caller's jurisdiction."""

from django.db.models import Q, QuerySet

from wangge.access.models import User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Action, can
from wangge.people.selectors import persons_visible_to

from .models import Membership, Organization


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    if not can(user, Action.VIEW_ORGANIZATIONS):
        return Organization.objects.none()
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return Organization.objects.all()
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range("grid_code", prefix)
        condition |= prefix_range("served_grids__grid_code", prefix)
    return Organization.objects.filter(condition).distinct()


def members_visible_to(user: User, organization: Organization) -> QuerySet[Membership]:
    """The organization's memberships of persons the user may see (none without
    VIEW_PEOPLE): members living outside the jurisdiction stay out of sight."""
    return (organization.memberships.filter(person__in=persons_visible_to(user))
            .select_related("person", "organization").order_by("person__name", "pk"))
