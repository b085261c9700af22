"""One demo account per role, each at the jurisdiction that role works at."""

import random

from wangge.access.models import User
from wangge.access.services import user_create
from wangge.foundation.permissions import Role

from . import city, identity

USERNAME_PREFIX = "demo-"


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


def delete_accounts() -> None:
    """Remove the accounts a previous demo build created (and their jurisdictions)."""
    User.objects.filter(username__in=[username_for(role) for role in Role.values]).delete()


def create_accounts(rng: random.Random, plan: city.CityPlan) -> list[dict[str, str]]:
    """Create the accounts with random passwords; returns what to hand to the demo's user."""
    accounts = []
    for role, codes in _jurisdictions(plan).items():
        sex = rng.choice("MF")
        user, password = user_create(
            username=username_for(role), role=role, jurisdictions=codes,
            display_name=identity.surname(rng) + identity.given_name(rng, sex),
        )
        accounts.append({"username": user.username, "role": role.value,
                         "jurisdiction": ",".join(codes), "password": password})
    return accounts
