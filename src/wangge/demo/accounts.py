"""One demo account per role, each at the jurisdiction that role works at, and the staff
accounts the emergency teams need beside them (no password: they answer calls by link)."""

import random

from django.db.models import Q, QuerySet

from wangge.access.models import User
from wangge.access.services import user_create
from wangge.foundation.permissions import Role

from . import city, identity

USERNAME_PREFIX = "demo-"
# Team members besides the demo accounts: demo-staff-<community or street code>-<team>-<n>.
STAFF_PREFIX = USERNAME_PREFIX + "staff-"


def _jurisdictions(plan: city.CityPlan) -> dict[str, list[str]]:
    community = plan.communities[0]
    district = city.DISTRICT[0]
    return {
        Role.GRID_WORKER: [grid.code for grid in community.grids[:2]],
        Role.COMMUNITY_STAFF: [community.code],
        Role.STREET_OFFICER: [community.street_code],
        Role.DISTRICT_ADMIN: [district],
        Role.DEPARTMENT_STAFF: [district],
        Role.VOLUNTEER: [community.code],
        Role.RESIDENT: [community.grids[0].code],
        Role.AUDITOR: [district],
        Role.SYSTEM_ADMIN: [district],
        Role.SECURITY_ADMIN: [district],
    }


def username_for(role: str) -> str:
    return USERNAME_PREFIX + role.replace("_", "-")


def demo_users() -> QuerySet[User]:
    """The accounts a demo build creates: one per role and the teams' staff."""
    return User.objects.filter(Q(username__in=[username_for(role) for role in Role.values])
                               | Q(username__startswith=STAFF_PREFIX))


def delete_accounts() -> None:
    """Remove the accounts a previous demo build created (and their jurisdictions)."""
    demo_users().delete()


def create_staff(rng: random.Random, *, code: str, team: str, role: str,
                 count: int) -> list[User]:
    """``count`` accounts of ``role`` answering for ``code``, demo-staff-<code>-<team>-<n>;
    their owners would choose a password by link (none is hashed: the demo stays fast)."""
    staff = []
    for number in range(1, count + 1):
        sex = rng.choice("MF")
        user, _password = user_create(
            by=city.DEMO, username=f"{STAFF_PREFIX}{code}-{team}-{number}", role=role,
            jurisdictions=[code], password_by_link=True, reason=city.WHY,
            display_name=identity.surname(rng) + identity.given_name(rng, sex))
        staff.append(user)
    return staff


def create_accounts(rng: random.Random, plan: city.CityPlan) -> list[dict[str, str]]:
    """Create the accounts with random passwords; returns what to hand to the demo's user."""
    accounts = []
    for role, codes in _jurisdictions(plan).items():
        sex = rng.choice("MF")
        user, password = user_create(
            by=city.DEMO, username=username_for(role), role=role, jurisdictions=codes,
            display_name=identity.surname(rng) + identity.given_name(rng, sex),
        )
        accounts.append({"username": user.username, "role": role.value,
                         "jurisdiction": ",".join(codes), "password": password})
    return accounts
