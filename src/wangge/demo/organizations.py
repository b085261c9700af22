"""Organizations of every kind for the demo district, with members and the grids they serve."""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from wangge.organizations.models import Membership, Organization, OrganizationKind, ServedGrid
from wangge.places.models import Enterprise

from . import city, identity

DEPARTMENTS = ["卫生健康局", "公安分局", "民政局", "住房和城市更新局", "市场监督管理局",
               "应急管理局", "城市管理执法局"]


@dataclass(frozen=True)
class Candidate:
    """A resident who may be asked to join an organization."""

    person_id: int
    name: str
    phone: str


@dataclass
class _Planned:
    organization: Organization
    served: list[str]
    titles: list[str]
    pool: list[Candidate]


def _titles(rng: random.Random, leader: str, others: str, low: int, high: int) -> list[str]:
    return [leader] + [others] * (rng.randint(low, high) - 1)


def _plan(
    rng: random.Random, plan: city.CityPlan, candidates: dict[str, list[Candidate]],
    serials: Iterator[int],
) -> list[_Planned]:
    planned = []
    for community in plan.communities:
        pool = candidates.get(community.code, [])
        grid_codes = [grid.code for grid in community.grids]
        short = community.name.removesuffix("社区")
        estate = short + rng.choice(city.ESTATE_ENDS)
        planned += [
            _Planned(Organization(name=f"{community.name}党委", kind=OrganizationKind.PARTY,
                                  grid_code=community.code),
                     grid_codes, ["书记", "副书记", "委员", *["党员"] * rng.randint(3, 8)], pool),
            _Planned(Organization(name=f"{community.name}志愿服务队",
                                  kind=OrganizationKind.VOLUNTEER_TEAM, grid_code=community.code),
                     grid_codes, _titles(rng, "队长", "队员", 8, 16), pool),
            _Planned(Organization(name=f"武汉{estate}物业服务有限公司",
                                  kind=OrganizationKind.PROPERTY_COMPANY,
                                  grid_code=community.code,
                                  credit_code=identity.credit_code(next(serials), city.AREA_CODE)),
                     rng.sample(grid_codes, min(len(grid_codes), rng.randint(1, 3))),
                     ["项目经理", "物业管家", "物业管家"], pool),
            # Remote medical help goes to the centre serving the grid (care.medical).
            _Planned(Organization(name=f"{short}社区卫生服务中心",
                                  kind=OrganizationKind.HEALTH_CENTRE, grid_code=community.code),
                     grid_codes, ["主任", "家庭医生", "家庭医生", "护士"], pool),
        ]
    for street_code, street_name, _rect in plan.streets:
        communities = [c for c in plan.communities if c.street_code == street_code]
        pool = [person for c in communities for person in candidates.get(c.code, [])]
        grids = [grid.code for c in communities for grid in c.grids]
        planned.append(_Planned(
            Organization(name=f"{street_name.removesuffix('街道')}社会工作服务中心",
                         kind=OrganizationKind.SOCIAL, grid_code=street_code,
                         credit_code=identity.credit_code(next(serials), city.AREA_CODE, "52")),
            rng.sample(grids, min(3, len(grids))), ["主任", "社工", "社工"], pool,
        ))
        enterprise = (Enterprise.objects.filter(grid_code__startswith=street_code[:9],
                                                credit_code__startswith="91")
                      .order_by("credit_code").first())
        if enterprise is not None:
            planned.append(_Planned(
                Organization(name=enterprise.name, kind=OrganizationKind.ENTERPRISE,
                             grid_code=enterprise.grid_code, credit_code=enterprise.credit_code,
                             contact_phone=enterprise.contact_phone),
                [enterprise.grid_code], ["负责人", "员工"], pool,
            ))
    everyone = [person for pool in candidates.values() for person in pool]
    planned += [
        _Planned(Organization(name=f"{city.DISTRICT[1]}{name}", kind=OrganizationKind.DEPARTMENT,
                              grid_code=city.DISTRICT[0]), [], ["科长", "科员"], everyone)
        for name in DEPARTMENTS
    ]
    return planned


def create_organizations(
    rng: random.Random, plan: city.CityPlan, candidates: dict[str, list[Candidate]],
    serials: Iterator[int],
) -> int:
    """Create them all in bulk (with history); returns how many."""
    planned = _plan(rng, plan, candidates, serials)
    memberships: list[tuple[_Planned, Candidate, str]] = []
    for item in planned:
        members = rng.sample(item.pool, min(len(item.pool), len(item.titles)))
        memberships += list(zip([item] * len(members), members, item.titles, strict=False))
        if members and not item.organization.contact_name:
            item.organization.contact_name = members[0].name
            item.organization.contact_phone = item.organization.contact_phone or members[0].phone
    bulk_create_with_history([item.organization for item in planned], Organization,
                             default_change_reason=city.REASON)
    bulk_create_with_history(
        [ServedGrid(organization=item.organization, grid_code=code)
         for item in planned for code in item.served],
        ServedGrid, default_change_reason=city.REASON,
    )
    joined = datetime.date(2025, 1, 1)
    bulk_create_with_history(
        [Membership(organization=item.organization, person_id=member.person_id, title=title,
                    joined_on=joined - datetime.timedelta(days=rng.randrange(3650)))
         for item, member, title in memberships],
        Membership, batch_size=2000, default_change_reason=city.REASON,
    )
    return len(planned)
