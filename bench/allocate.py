"""Time the allocation of scarce supplies (docs/allocation.md) on a seeded problem with
shortages, check it against the dense problem solved in the same run, and time a re-solve.

    wangge bench allocate --depots 500 --demands 20000 [--items 3] [--seed 14]

Times are wall clock, with the process's CPU time beside them (they differ on a shared
machine). The problem: depots and demands spread over a city of about 50 × 55 km; each
demand needs each item with probability 0.6 (1 to 50 units), a fifth of them at priority
1, three tenths at 2, the rest at 3; each item's stock is 45 % of its need, over the depots
that hold it (four in five). Then:

- **solve**: ``Allocator`` (distances, restricted simplex, dense pricing), timed from the
  problem to the plan;
- **dense**: ``dense_optimum``, the same problem as stated, every depot × every demand in one
  LP per item, two phases, by HiGHS' interior point method without crossover
  (``--dense-solver``); the gap is the solve's transport less the dense one over the dense
  one (the weighted unmet must be equal);
- **re-solve**: ``--changed`` of the demands (1 %) get new needs and priorities, and the same
  ``Allocator`` solves again from where it ended; its plan is compared with a fresh solve.
"""

import argparse
import dataclasses
import sys
import time

import numpy as np

from wangge.resources.allocation import Allocator, Problem, allocate, dense_optimum


def seeded_problem(depots: int, demands: int, items: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    south_west, size = np.array([30.35, 114.05]), np.array([0.45, 0.55])
    need = np.where(rng.random((demands, items)) < 0.6, rng.integers(1, 51, (demands, items)), 0)
    holds = rng.random((depots, items)) < 0.8
    shares = rng.random((depots, items)) * holds
    shares /= shares.sum(axis=0)
    stock = np.floor(shares * 0.45 * need.sum(axis=0)).astype(np.int64)
    return Problem(
        items=tuple(f"item{i}" for i in range(items)),
        depot_ids=tuple(f"D{d}" for d in range(depots)),
        depot_points=south_west + rng.random((depots, 2)) * size, stock=stock,
        demand_ids=tuple(f"G{j}" for j in range(demands)),
        demand_points=south_west + rng.random((demands, 2)) * size, need=need.astype(np.int64),
        priority=rng.choice([1, 2, 3], size=demands, p=[0.2, 0.3, 0.5]))


def changed(problem: Problem, count: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed + 1)
    chosen = rng.choice(len(problem.demand_ids), size=count, replace=False)
    need, priority = problem.need.copy(), problem.priority.copy()
    items = need.shape[1]
    need[chosen] = np.where(rng.random((count, items)) < 0.6,
                            rng.integers(1, 51, (count, items)), 0)
    priority[chosen] = rng.choice([1, 2, 3], size=count)
    return dataclasses.replace(problem, need=need, priority=priority)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The defaults keep `make bench` within a minute (the dense check of 500 × 20,000 takes
    # about 27 minutes on 2 cores); the size is given explicitly.
    parser.add_argument("--depots", type=int, default=200)
    parser.add_argument("--demands", type=int, default=5_000)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--changed", type=float, default=0.01,
                        help="share of the demands changed before the re-solve")
    parser.add_argument("--dense-solver", default="ipm", choices=["ipm", "simplex", "none"],
                        help="how to solve the dense problem (none: skip it)")
    args = parser.parse_args(argv)
    problem = seeded_problem(args.depots, args.demands, args.items, args.seed)
    short = problem.need.sum() - problem.stock.sum()
    print(f"allocate: {args.depots:,} depots, {args.demands:,} demands, {args.items} items, "
          f"{int(problem.need.sum()):,} units needed, {int(short):,} short (seed {args.seed})")
    started, cpu = time.perf_counter(), time.process_time()
    solver = Allocator(problem)
    plan = solver.solve()
    solve_seconds, solve_cpu = time.perf_counter() - started, time.process_time() - cpu
    arcs = sum(len(model.arc_depot) for model in solver.models)
    print(f"  solve: {solve_seconds:.2f} s (CPU {solve_cpu:.2f} s); weighted unmet "
          f"{plan.weighted_unmet:,}, transport {plan.transport_km:,.3f} unit·km; {arcs:,} arcs of "
          f"{args.depots * args.demands * args.items:,} priced in")
    reasons = {why: sum(line.quantity for line in plan.unmet if line.why == why)
               for why in sorted({line.why for line in plan.unmet})}
    print(f"  unmet units by reason: {reasons}")
    if args.dense_solver != "none":
        started = time.perf_counter()
        weighted, transport = dense_optimum(problem, solver=args.dense_solver)
        gap = (plan.transport_km - transport) / transport if transport else 0.0
        print(f"  dense ({args.dense_solver}): {time.perf_counter() - started:.1f} s; weighted "
              f"unmet {weighted:,} ({'equal' if weighted == plan.weighted_unmet else 'DIFFERENT'})"
              f", transport {transport:,.3f}; gap {100 * gap:.1e} %")
    count = max(1, round(args.changed * args.demands))
    again = changed(problem, count, args.seed)
    started, cpu = time.perf_counter(), time.process_time()
    replan = solver.solve(again)
    resolve_seconds, resolve_cpu = time.perf_counter() - started, time.process_time() - cpu
    fresh = allocate(again)
    print(f"  re-solve after {count:,} demands changed: {resolve_seconds:.2f} s "
          f"(CPU {resolve_cpu:.2f} s); equals a fresh solve: {'yes' if replan == fresh else 'NO'}")
    if replan != fresh or (args.dense_solver != "none" and weighted != plan.weighted_unmet):
        sys.exit(1)


if __name__ == "__main__":
    main()
