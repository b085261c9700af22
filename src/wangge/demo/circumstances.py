"""The demo's circumstances (特殊人群) in realistic shares, from the residents as they were
made: every resident aged 60 or more is an older person (living alone, empty-nest or with
family, by their household), the disabled and the chronically ill by their health status,
the floating population by residence type, low income and children left behind by their
tags, and people who would need help to evacuate among the frail. Rented flats get an owner
from the grid's registered residents and a lease; buildings of seven floors or more a lift.

Each grid has a generator of its own (seeded from the grid's), so the residents themselves
are the same with or without this step."""

import datetime
import random
from collections.abc import Iterable
from typing import Any

from wangge.people.models import HealthStatus, Person, ResidenceType, VulnerableTag
from wangge.places.models import Building, Dwelling
from wangge.populations.models import Circumstance, Population

from . import identity
from .population import REFERENCE_DATE, age

CAPABILITY = [("intact", 78), ("mild", 11), ("moderate", 6), ("severe", 3), ("total", 2)]
DISABILITY_CATEGORY = [("1", 15), ("2", 24), ("3", 1), ("4", 36), ("5", 8), ("6", 11), ("7", 5)]
DISABILITY_GRADE = [("1", 12), ("2", 22), ("3", 30), ("4", 36)]
CONDITION = [("hypertension", 48), ("diabetes", 24), ("coronary", 8), ("stroke", 5),
             ("copd", 5), ("cancer", 3), ("mental", 2), ("other", 5)]
EMPLOYMENT = [("employed", 25), ("self_employed", 10), ("unemployed", 35), ("unable", 30)]
HOME_COUNTIES = ["湖北省孝感市孝南区", "湖北省黄冈市麻城市", "湖北省荆州市洪湖市",
                 "河南省信阳市光山县", "湖南省岳阳市临湘市", "江西省九江市瑞昌市",
                 "安徽省六安市金寨县", "四川省达州市渠县"]
WORKPLACES = ["汉口某物流公司", "江岸区某餐饮店", "某建筑工地", "某快递站点", "某商场",
              "某电子厂", "个体经营", "某家政公司"]
PARENTS_AWAY = ["广东省深圳市", "广东省东莞市", "浙江省杭州市", "上海市", "江苏省苏州市"]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], [w for _, w in weighted])[0]


def _day_within(rng: random.Random, years: int) -> str:
    return (REFERENCE_DATE - datetime.timedelta(days=rng.randrange(1, 365 * years))).isoformat()


class Circumstances:
    """Makes one grid's circumstances, rented flats and lifts."""

    def __init__(self, community_names: dict[str, str]) -> None:
        self.populations = {p.key: p for p in Population.objects.filter(built_in=True)}
        self.community_names = community_names

    def grid(self, rng: random.Random, people: list[Person], dwellings: list[Dwelling],
             buildings: Iterable[Building], keys: Any) -> list[Circumstance]:
        for building in buildings:
            building.has_lift = building.floors >= 7 or rng.random() < 0.15
        adults = [p for p in people if 25 <= age(p) <= 65]
        owners = [p for p in adults if p.residence_type == ResidenceType.REGISTERED] or adults
        households: dict[int | None, list[Person]] = {}
        for person in people:
            households.setdefault(person.household_id, []).append(person)
        rented = {p.dwelling_id for p in people
                  if p.residence_type in (ResidenceType.RENTING, ResidenceType.FLOATING)}
        for dwelling in dwellings:
            dwelling.floor_area = rng.randint(38, 140)
            if dwelling.pk in rented and owners:
                dwelling.rented = True
                dwelling.owner_id = rng.choice(owners).pk
                start = REFERENCE_DATE - datetime.timedelta(days=rng.randrange(30, 700))
                dwelling.lease_start = start
                dwelling.lease_end = start + datetime.timedelta(days=365 * rng.choice([1, 1, 2]))
        made = []
        governed = {p.tag for p in self.populations.values() if p.tag}
        for person in people:
            held = self._of(rng, person, households[person.household_id], adults)
            # The tags say what the circumstances say, as circumstance_save keeps them.
            tags = set(person.vulnerable_tags) - governed
            for key, values in held:
                population = self.populations[key]
                if population.tag and (not population.tag_field or values.get(
                        population.tag_field) == population.tag_value):
                    tags.add(population.tag)
            person.vulnerable_tags = sorted(tags)
            for key, values in held:
                circumstance = Circumstance(person_id=person.pk,
                                            population=self.populations[key], values=values,
                                            since=datetime.date.fromisoformat(
                                                values.pop("_since", _day_within(rng, 5))))
                keys.assign(circumstance)
                made.append(circumstance)
        return made

    def _of(self, rng: random.Random, person: Person, household: list[Person],
            adults: list[Person]) -> list[tuple[str, dict[str, Any]]]:
        years = age(person)
        found = []
        others = [p for p in household if p.pk != person.pk and age(p) >= 18]
        tags = set(person.vulnerable_tags)
        if years >= 60:
            if len(household) == 1:
                situation = "alone"
            elif all(age(p) >= 55 for p in household):
                situation = "empty_nest"
            else:
                situation = "with_family"
            older: dict[str, Any] = {"living_situation": situation,
                                     "capability": _pick(rng, CAPABILITY)}
            contact = others[0] if others else (rng.choice(adults) if adults and
                                                rng.random() < 0.7 else None)
            if contact is not None:
                older["emergency_contact"] = contact.pk
            found.append(("older_people", older))
            frail = older["capability"] in ("moderate", "severe", "total")
            if frail and adults:
                found.append(("evacuation_help", {
                    "help_kind": "wheelchair" if older["capability"] == "moderate"
                    else "stretcher", "helper": (others[0] if others else
                                                 rng.choice(adults)).pk}))
        if person.health_status == HealthStatus.DISABLED:
            category, grade = _pick(rng, DISABILITY_CATEGORY), _pick(rng, DISABILITY_GRADE)
            disability: dict[str, Any] = {
                "category": category, "grade": grade, "living_subsidy": rng.random() < 0.4,
                "care_subsidy": grade in "12" and rng.random() < 0.7,
                "employment": _pick(rng, EMPLOYMENT)}
            if person.document_type == "resident_id":
                disability["certificate"] = category + grade
            if category in "56" and others:
                disability["guardian"] = others[0].pk
            found.append(("disability", disability))
        if person.health_status == HealthStatus.CHRONIC:
            chronic: dict[str, Any] = {"condition": _pick(rng, CONDITION),
                                       "contract_signed": rng.random() < 0.65}
            community = self.community_names.get(person.grid_code[:12], "")
            chronic["health_centre"] = (f"{community.removesuffix('社区')}社区卫生服务中心"
                                        if community else "")
            if chronic["contract_signed"]:
                chronic["family_doctor"] = identity.surname(rng) + "医生"
                chronic["contract_date"] = _day_within(rng, 3)
            found.append(("chronic_illness",
                          {k: v for k, v in chronic.items() if v not in ("", None)}))
        if person.residence_type == ResidenceType.FLOATING:
            arrived = _day_within(rng, 8)
            found.append(("floating", {"arrived_on": arrived, "_since": arrived,
                                       "registered_address": rng.choice(HOME_COUNTIES),
                                       "workplace": rng.choice(WORKPLACES)}))
        if VulnerableTag.LOW_INCOME in tags and person.relationship == "head":
            found.append(("low_income", {"members": len(household),
                                         "monthly_amount": 780 * len(household)}))
        if VulnerableTag.LEFT_BEHIND_CHILD in tags and others:
            found.append(("left_behind_child", {"guardian": others[0].pk,
                                                "parents_workplace": rng.choice(PARENTS_AWAY)}))
        return found
