"""Allocation of scarce supplies: small cases checked by hand, the shortfall explanation, the
JSON contract's errors, the command, and the restricted solve against the dense problem."""

import io
import json
from collections import Counter

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from wangge.resources import allocation
from wangge.resources.allocation import (
    KEPT_FOR_HIGHER_PRIORITY,
    NO_STOCK,
    Allocator,
    ProblemError,
    allocate,
    dense_optimum,
    great_circle_km,
    problem_from_json,
    problem_to_json,
)
from wangge.resources.management.commands import allocate as command


def depot(identifier, lat, lon, **stock):
    return {"id": identifier, "lat": lat, "lon": lon, "stock": stock}


def demand(identifier, lat, lon, priority, **need):
    return {"id": identifier, "lat": lat, "lon": lon, "need": need, "priority": priority}


def solve(depots, demands):
    return allocate(problem_from_json({"depots": depots, "demands": demands}))


def shipped(plan):
    return {(s.depot, s.demand, s.item): s.quantity for s in plan.shipments}


def unmet(plan):
    return {(u.demand, u.item): (u.quantity, u.why) for u in plan.unmet}


def random_problem(seed, depots=6, demands=25, items=2, shortage=0.7):
    rng = np.random.default_rng(seed)
    names = [f"item{i}" for i in range(items)]
    needs = [{name: int(rng.integers(1, 30)) for name in names if rng.random() < 0.7}
             for _ in range(demands)]
    total = Counter()
    for need in needs:
        total.update(need)
    return {
        "depots": [depot(f"D{d}", 30 + rng.random(), 114 + rng.random(),
                         **{name: int(rng.integers(0, 2 * shortage * total[name] / depots + 1))
                            for name in names})
                   for d in range(depots)],
        "demands": [demand(f"G{j}", 30 + rng.random(), 114 + rng.random(),
                           int(rng.integers(1, 4)), **need)
                    for j, need in enumerate(needs)],
    }


# ---- small cases by hand -----------------------------------------------------------------

def test_priority_beats_distance():
    plan = solve([depot("A", 30.0, 114.0, water=10)],
                 [demand("near", 30.01, 114.0, 2, water=10),
                  demand("far", 30.5, 114.0, 1, water=6)])
    assert shipped(plan) == {("A", "far", "water"): 6, ("A", "near", "water"): 4}
    assert unmet(plan) == {("near", "water"): (6, KEPT_FOR_HIGHER_PRIORITY)}
    assert plan.weighted_unmet == 6 * 10
    far_km = great_circle_km(np.array([[30.0, 114.0]]), np.array([[30.5, 114.0]]))[0, 0]
    near_km = great_circle_km(np.array([[30.0, 114.0]]), np.array([[30.01, 114.0]]))[0, 0]
    assert plan.transport_km == pytest.approx(6 * far_km + 4 * near_km)


def test_the_nearer_depot_wins_at_equal_priority():
    plan = solve([depot("west", 30.0, 114.0, masks=8), depot("east", 30.0, 115.0, masks=8)],
                 [demand("w", 30.0, 114.1, 2, masks=5), demand("e", 30.0, 114.9, 2, masks=5)])
    assert shipped(plan) == {("west", "w", "masks"): 5, ("east", "e", "masks"): 5}
    assert plan.unmet == []
    assert plan.weighted_unmet == 0


def test_a_short_nearest_depot_is_topped_up_from_the_next():
    plan = solve([depot("near", 30.0, 114.0, rice=3), depot("far", 31.0, 114.0, rice=50)],
                 [demand("g", 30.0, 114.01, 1, rice=10)])
    assert shipped(plan) == {("near", "g", "rice"): 3, ("far", "g", "rice"): 7}


def test_whole_units_within_stock_and_need():
    data = random_problem(3, depots=8, demands=40, items=3)
    problem = problem_from_json(data)
    plan = allocate(problem)
    out_of = Counter()
    received = Counter()
    for line in plan.shipments:
        assert isinstance(line.quantity, int)
        assert line.quantity > 0
        out_of[line.depot, line.item] += line.quantity
        received[line.demand, line.item] += line.quantity
    for entry in data["depots"]:
        for item in problem.items:
            assert out_of[entry["id"], item] <= entry["stock"].get(item, 0)
    missing = {(u.demand, u.item): u.quantity for u in plan.unmet}
    for entry in data["demands"]:
        for item in problem.items:
            need = entry["need"].get(item, 0)
            assert received[entry["id"], item] + missing.get((entry["id"], item), 0) == need
    assert all(u.quantity > 0 for u in plan.unmet)
    weights = {entry["id"]: {1: 100, 2: 10, 3: 1}[entry["priority"]] for entry in data["demands"]}
    assert plan.weighted_unmet == sum(weights[u.demand] * u.quantity for u in plan.unmet)


def test_surplus_stock_stays_home():
    plan = solve([depot("A", 30.0, 114.0, water=100)], [demand("g", 30.1, 114.0, 3, water=4)])
    assert shipped(plan) == {("A", "g", "water"): 4}
    assert plan.unmet == []


# ---- shortfalls --------------------------------------------------------------------------

def test_no_stock_when_the_item_is_nowhere():
    plan = solve([depot("A", 30.0, 114.0, water=5)], [demand("g", 30.1, 114.0, 1, tents=2)])
    assert unmet(plan) == {("g", "tents"): (2, NO_STOCK)}
    assert plan.shipments == []
    assert plan.weighted_unmet == 200


def test_shortfall_reasons_by_priority_level():
    # 50 in stock; priority 1 needs 30, priority 2 needs 60 (more than all the stock), and
    # priority 3 needs 5 (less than the stock, which went to priorities 1 and 2).
    plan = solve([depot("A", 30.0, 114.0, water=50)],
                 [demand("p1", 30.1, 114.0, 1, water=30),
                  demand("p2a", 30.2, 114.0, 2, water=30), demand("p2b", 30.3, 114.0, 2, water=30),
                  demand("p3", 30.0, 114.1, 3, water=5)])
    reasons = unmet(plan)
    assert ("p1", "water") not in reasons
    assert sum(reasons[name, "water"][0] for name in ("p2a", "p2b")) == 40
    assert {reasons[name, "water"][1] for name in ("p2a", "p2b")} == {NO_STOCK}
    assert reasons["p3", "water"] == (5, KEPT_FOR_HIGHER_PRIORITY)


def test_kept_for_higher_priority_when_the_stock_would_have_covered_the_level():
    plan = solve([depot("A", 30.0, 114.0, water=50)],
                 [demand("p1", 30.1, 114.0, 1, water=30), demand("p2", 30.01, 114.0, 2, water=40)])
    assert unmet(plan) == {("p2", "water"): (20, KEPT_FOR_HIGHER_PRIORITY)}


def test_priority_one_is_never_kept_for_another():
    plan = solve([depot("A", 30.0, 114.0, water=10)],
                 [demand("a", 30.1, 114.0, 1, water=8), demand("b", 30.2, 114.0, 1, water=8)])
    assert sum(line.quantity for line in plan.unmet) == 6
    assert {line.why for line in plan.unmet} == {NO_STOCK}


# ---- the contract ------------------------------------------------------------------------

GOOD = {"depots": [depot("A", 30.0, 114.0, water=5)], "demands": [demand("g", 30.1, 114.0, 1,
                                                                         water=2)]}


def broken(path, value):
    data = json.loads(json.dumps(GOOD))
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(("path", "value", "where"), [
    (("depots",), KeyError, "depots"),
    (("demands",), {"id": 1}, "demands"),
    (("depots", 0, "lat"), 91, "depots[0].lat"),
    (("depots", 0, "lon"), "114", "depots[0].lon"),
    (("demands", 0, "lon"), float("nan"), "demands[0].lon"),
    (("depots", 0, "id"), True, "depots[0].id"),
    (("depots", 0, "id"), "", "depots[0].id"),
    (("depots", 0, "stock"), [5], "depots[0].stock"),
    (("depots", 0, "stock", "water"), 1.5, "depots[0].stock.water"),
    (("depots", 0, "stock", "water"), -1, "depots[0].stock.water"),
    (("depots", 0, "stock", "water"), 10**10, "depots[0].stock.water"),
    (("demands", 0, "need", "water"), "2", "demands[0].need.water"),
    (("demands", 0, "need", ""), 2, "demands[0].need."),
    (("demands", 0, "priority"), 4, "demands[0].priority"),
    (("demands", 0, "priority"), True, "demands[0].priority"),
    (("demands", 0, "priority"), KeyError, "demands[0].priority"),
    (("demands", 0), "g", "demands[0]"),
])
def test_contract_errors_name_the_place(path, value, where):
    with pytest.raises(ProblemError) as raised:
        problem_from_json(broken(path, value))
    assert raised.value.where == where
    assert str(raised.value).startswith(where)


def test_ids_are_unique_and_whole_floats_are_whole():
    data = broken(("demands",), [demand("g", 30, 114, 1, water=2.0), demand("g", 30, 114, 2)])
    with pytest.raises(ProblemError, match=r"^demands\[1\]\.id: 'g' repeats demands\[0\]"):
        problem_from_json(data)
    assert problem_from_json(broken(("demands", 0, "need", "water"), 2.0)).need[0, 0] == 2


def test_sizes_are_checked_before_any_work(monkeypatch):
    monkeypatch.setattr(allocation, "MAX_DEPOTS", 1)
    with pytest.raises(ProblemError, match=r"^depots: 2 entries; at most 1"):
        problem_from_json(broken(("depots",), [{}, {}]))  # refused before the entries are read
    monkeypatch.setattr(allocation, "MAX_PAIRS", 1)
    with pytest.raises(ProblemError, match="pairs"):
        problem_from_json(broken(("demands",), [{}, {}]))
    monkeypatch.setattr(allocation, "MAX_ITEMS", 1)
    with pytest.raises(ProblemError, match=r"^demands\[0\]\.need\.tents: more than 1"):
        problem_from_json(broken(("demands", 0, "need", "tents"), 1))


def test_not_an_object():
    with pytest.raises(ProblemError, match="JSON object"):
        problem_from_json([])


# ---- optimality --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_restricted_equals_dense(seed):
    problem = problem_from_json(random_problem(seed, shortage=(0.4, 0.8, 1.3)[seed % 3]))
    plan = Allocator(problem, nearest=1).solve()  # one arc each: pricing must find the rest
    weighted, transport = dense_optimum(problem)
    assert plan.weighted_unmet == weighted
    assert plan.transport_km == pytest.approx(transport, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_restricted_equals_dense_with_ties(seed):
    """Places on a coarse lattice: many equal distances, depots on demands, alternative optima
    (degenerate vertices), and still whole units and the dense optimum."""
    data = random_problem(100 + seed, depots=5, demands=30)
    for entry in data["depots"] + data["demands"]:
        entry["lat"], entry["lon"] = round(entry["lat"] * 2) / 2, round(entry["lon"] * 2) / 2
    problem = problem_from_json(data)
    plan = Allocator(problem, nearest=1).solve()
    weighted, transport = dense_optimum(problem)
    assert plan.weighted_unmet == weighted
    assert plan.transport_km == pytest.approx(transport, rel=1e-9, abs=1e-6)


def test_a_penalty_found_too_small_is_raised():
    problem = problem_from_json(random_problem(5, depots=5, demands=30, items=1, shortage=0.5))
    solver = Allocator(problem, nearest=1)
    for model in solver.models:
        model.penalty = 1e-3  # cheaper than any shipment: the first dense optimum ships nothing
    plan = solver.solve()
    assert (plan.weighted_unmet, pytest.approx(plan.transport_km)) == dense_optimum(problem)


def test_a_resolve_after_a_change_equals_a_fresh_solve():
    data = random_problem(7, depots=6, demands=40, items=2)
    solver = Allocator(problem_from_json(data))
    solver.solve()
    for entry in data["demands"][:4]:
        entry["priority"] = 4 - entry["priority"]
        entry["need"] = {name: quantity * 2 for name, quantity in entry["need"].items()}
    data["depots"][0]["stock"] = dict.fromkeys(data["depots"][0]["stock"], 0)
    changed = problem_from_json(data)
    assert solver.solve(changed) == allocate(changed)
    with pytest.raises(ValueError, match="same places"):
        solver.solve(problem_from_json(random_problem(8)))


def test_resolves_where_demands_start_and_stop_receiving_equal_fresh_solves():
    """A demand's row exists only once it receives something (a need in a level not left
    uncovered): re-solves that give rows to new demands and hold others' at zero, several in
    a row, still equal fresh solves."""
    data = random_problem(9, depots=5, demands=40, items=1, shortage=0.5)
    solver = Allocator(problem_from_json(data), nearest=1)
    solver.solve()
    rng = np.random.default_rng(9)
    started = stopped = 0
    for _ in range(6):
        before = problem_from_json(data)
        for entry in rng.choice(data["demands"], size=8, replace=False):
            entry["priority"] = int(rng.integers(1, 4))
            entry["need"] = {"item0": int(rng.integers(1, 30))} if rng.random() < 0.7 else {}
        changed = problem_from_json(data)
        assert solver.solve(changed) == allocate(changed)
        model = solver.models[0]
        receives = ((changed.need[:, 0] > 0) & (model.levels != allocation.NOT_COVERED))
        received = ((before.need[:, 0] > 0)
                    & (allocation.coverage(int(before.stock.sum()), before.need[:, 0],
                                           before.priority) != allocation.NOT_COVERED))
        started += int((receives & ~received).sum())
        stopped += int((received & ~receives).sum())
    assert started > 0
    assert stopped > 0


def test_the_json_round_trip_keeps_the_problem():
    problem = problem_from_json(random_problem(2))
    again = problem_from_json(problem_to_json(problem))
    assert again.same_places(problem)
    assert np.array_equal(again.need, problem.need)
    assert np.array_equal(again.stock, problem.stock)


# ---- the command -------------------------------------------------------------------------

def test_command_writes_the_plan(tmp_path):
    data = random_problem(11)
    source, target = tmp_path / "problem.json", tmp_path / "plan.json"
    source.write_text(json.dumps(data))
    call_command("allocate", str(source), "--out", str(target), stderr=io.StringIO())
    plan = json.loads(target.read_text())
    assert plan == json.loads(json.dumps(allocate(problem_from_json(data)).to_json()))
    assert set(plan) == {"shipments", "unmet", "objective"}
    assert set(plan["objective"]) == {"weighted_unmet", "transport_km"}
    printed = io.StringIO()
    call_command("allocate", str(source), stdout=printed)
    assert json.loads(printed.getvalue()) == plan


@pytest.mark.parametrize(("content", "message"), [
    ("{", "is not valid JSON"),
    (b"\xff\xfe{}", "is not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply|not valid JSON"),
    (json.dumps(broken(("demands", 0, "priority"), 0)),
     r"breaks the contract at demands\[0\]\.priority: must be 1, 2 or 3"),
])
def test_command_refuses_a_bad_file(tmp_path, content, message):
    source = tmp_path / "problem.json"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("allocate", str(source))


def test_command_refuses_a_missing_or_oversized_file(tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("allocate", str(tmp_path / "absent.json"))
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(GOOD))
    monkeypatch.setattr(command, "MAX_PROBLEM_BYTES", 10)
    with pytest.raises(CommandError, match="at most 10"):
        call_command("allocate", str(source))


def test_empty_and_one_sided_problems():
    assert solve([], []).to_json() == {
        "shipments": [], "unmet": [], "objective": {"weighted_unmet": 0, "transport_km": 0.0}}
    assert solve([depot("A", 30.0, 114.0, water=5)], []).shipments == []
    plan = solve([], [demand("g", 30.0, 114.0, 3, water=2)])
    assert unmet(plan) == {("g", "water"): (2, NO_STOCK)}


def test_great_circle_km_is_the_haversine_distance():
    rng = np.random.default_rng(1)
    origins = np.c_[rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)]
    destinations = np.r_[np.c_[rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)],
                         origins + 1e-6, origins]  # also a few centimetres, and nothing
    lat1, lon1 = np.radians(origins[:, :1]), np.radians(origins[:, 1:])
    lat2, lon2 = np.radians(destinations[:, 0]), np.radians(destinations[:, 1])
    haversine = (np.sin((lat2 - lat1) / 2) ** 2
                 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    expected = 2 * 6371.0088 * np.arcsin(np.sqrt(haversine))
    assert great_circle_km(origins, destinations) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    beijing, shanghai = np.array([[39.9042, 116.4074]]), np.array([[31.2304, 121.4737]])
    assert great_circle_km(beijing, shanghai)[0, 0] == pytest.approx(1067.3, abs=0.5)
