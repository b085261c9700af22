"""Allocation of scarce supplies (供需调配): ship items from depots to demands, the most urgent
first, then over the shortest great-circle distances; and say why every shortfall is short.

Pure Python, numpy and HiGHS, no database: the command `wangge allocate`, the benchmark and
(later) the pages all call it. The method and the proof that the plan is the optimum of the
full dense problem are in docs/allocation.md; in short, per item:

1. **Priorities** (the first objective) have a closed form. Every depot may ship to every
   demand, so the weighted unmet quantity (100, 10, 1 per unit for priorities 1, 2, 3) is
   least exactly when the stock goes to priority 1 until it is covered, then 2, then 3: each
   priority level is *covered*, *partly covered* (the level where the stock runs out) or *not
   covered*. This fixes how much each level receives, not which demand of the partly covered
   level receives it.
2. **Distance** (the second objective) is then a transportation problem: each depot row ships
   its stock (or up to it, when there is more stock than need), each demand row receives its
   need (covered level) or up to it (partly covered level); demands of a level not covered
   receive nothing and have no row. HiGHS' dual simplex solves it
   over a restricted set of arcs (the nearest depots of each demand); the row duals then
   price every arc of the dense problem at once (numpy), the arcs with a negative reduced cost
   are added, and the loop ends when none is left, at which point the restricted optimum is
   the dense optimum. Artificial columns (at a penalty) keep the restricted problem feasible
   while its arcs are too few; a plan that still uses one when pricing finds nothing raises
   the penalty, so the plan returned never does.

Supplies and needs are whole numbers and the constraint matrix is totally unimodular, so the
simplex vertex is integral: quantities are whole units (checked, not assumed).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius
PRIORITY_WEIGHTS = {1: 100, 2: 10, 3: 1}

# Bounds checked before any work: the dense distance matrix is depots × demands floats.
MAX_DEPOTS = 5_000
MAX_DEMANDS = 200_000
MAX_ITEMS = 200
MAX_PAIRS = 25_000_000
MAX_QUANTITY = 10**9
MAX_ID_LENGTH = 100

NEAREST = 4  # arcs per demand in the first restricted problem (fewer: more pricing rounds)
REDUCED_COST_TOLERANCE = 1e-7  # km; below this an arc is not worth a pivot
INTEGRALITY_TOLERANCE = 1e-6

NO_STOCK = "no_stock"
KEPT_FOR_HIGHER_PRIORITY = "kept_for_higher_priority"

# What step 1 decides for a demand of one item.
COVERED, PARTLY_COVERED, NOT_COVERED = 0, 1, 2

Identifier = str | int


class ProblemError(ValueError):
    """A problem that breaks the contract; ``where`` names the place in the JSON."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


@dataclass(frozen=True, eq=False)
class Problem:
    items: tuple[str, ...]
    depot_ids: tuple[Identifier, ...]
    depot_points: np.ndarray  # (depots, 2): latitude, longitude in degrees
    stock: np.ndarray  # (depots, items) int64
    demand_ids: tuple[Identifier, ...]
    demand_points: np.ndarray  # (demands, 2)
    need: np.ndarray  # (demands, items) int64
    priority: np.ndarray  # (demands,) int64, 1 to 3

    def same_places(self, other: Problem) -> bool:
        return (self.items == other.items and self.depot_ids == other.depot_ids
                and self.demand_ids == other.demand_ids
                and np.array_equal(self.depot_points, other.depot_points)
                and np.array_equal(self.demand_points, other.demand_points))


@dataclass(frozen=True)
class Shipment:
    depot: Identifier
    demand: Identifier
    item: str
    quantity: int


@dataclass(frozen=True)
class Unmet:
    demand: Identifier
    item: str
    quantity: int
    why: str


@dataclass(frozen=True)
class Plan:
    shipments: list[Shipment]
    unmet: list[Unmet]
    weighted_unmet: int  # Σ priority weight × unmet quantity: the first objective
    transport_km: float  # Σ quantity × great-circle km: the second

    def to_json(self) -> dict[str, Any]:
        return {
            "shipments": [{"depot": s.depot, "demand": s.demand, "item": s.item,
                           "quantity": s.quantity} for s in self.shipments],
            "unmet": [{"demand": u.demand, "item": u.item, "quantity": u.quantity,
                       "why": u.why} for u in self.unmet],
            "objective": {"weighted_unmet": self.weighted_unmet,
                          "transport_km": round(self.transport_km, 6)},
        }


# ---- the contract ----------------------------------------------------------------------

def _sized_list(data: Mapping[str, Any], key: str, most: int) -> list[Any]:
    if key not in data:
        raise ProblemError(key, "missing")
    value = data[key]
    if not isinstance(value, list):
        raise ProblemError(key, "must be a list")
    if len(value) > most:
        raise ProblemError(key, f"{len(value):,} entries; at most {most:,}")
    return value


def _identifier(value: Any, where: str) -> Identifier:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProblemError(where, "must be a string or an integer")
    if isinstance(value, str) and not 0 < len(value) <= MAX_ID_LENGTH:
        raise ProblemError(where, f"must have 1 to {MAX_ID_LENGTH} characters")
    return value


def _coordinate(entry: Mapping[str, Any], key: str, limit: float, where: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProblemError(f"{where}.{key}", "must be a number")
    if not -limit <= value <= limit:
        raise ProblemError(f"{where}.{key}", f"{value} is outside -{limit:g} to {limit:g}")
    return float(value)


def _quantities(value: Any, where: str, items: dict[str, int]) -> dict[int, int]:
    """``{item: whole quantity}``; new item names are added to ``items`` (bounded)."""
    if not isinstance(value, dict):
        raise ProblemError(where, "must be an object of item → quantity")
    quantities = {}
    for item, quantity in value.items():
        place = f"{where}.{item}"
        if not 0 < len(item) <= MAX_ID_LENGTH:
            raise ProblemError(place, f"an item name must have 1 to {MAX_ID_LENGTH} characters")
        if isinstance(quantity, float) and quantity.is_integer():
            quantity = int(quantity)
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ProblemError(place, "a quantity must be a whole number")
        if not 0 <= quantity <= MAX_QUANTITY:
            raise ProblemError(place, f"{quantity} is outside 0 to {MAX_QUANTITY:,}")
        if item not in items:
            if len(items) >= MAX_ITEMS:
                raise ProblemError(place, f"more than {MAX_ITEMS} different items")
            items[item] = len(items)
        quantities[items[item]] = quantity
    return quantities


def _places(entries: list[Any], key: str, amounts: str, items: dict[str, int],
            ) -> tuple[tuple[Identifier, ...], np.ndarray, list[dict[int, int]], list[Any]]:
    ids: dict[Identifier, int] = {}
    points = np.empty((len(entries), 2))
    quantities = []
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise ProblemError(where, "must be an object")
        identifier = _identifier(entry.get("id"), f"{where}.id")
        if identifier in ids:
            raise ProblemError(f"{where}.id", f"{identifier!r} repeats {key}[{ids[identifier]}]")
        ids[identifier] = index
        points[index] = (_coordinate(entry, "lat", 90, where),
                         _coordinate(entry, "lon", 180, where))
        quantities.append(_quantities(entry.get(amounts), f"{where}.{amounts}", items))
    return tuple(ids), points, quantities, entries


def _matrix(quantities: list[dict[int, int]], items: int) -> np.ndarray:
    matrix = np.zeros((len(quantities), items), dtype=np.int64)
    for row, line in enumerate(quantities):
        for item, quantity in line.items():
            matrix[row, item] = quantity
    return matrix


def problem_from_json(data: Any) -> Problem:
    """Check a problem against the contract; :class:`ProblemError` names the first fault."""
    if not isinstance(data, dict):
        raise ProblemError("", "a problem must be a JSON object with depots and demands")
    depots = _sized_list(data, "depots", MAX_DEPOTS)
    demands = _sized_list(data, "demands", MAX_DEMANDS)
    if len(depots) * len(demands) > MAX_PAIRS:
        raise ProblemError("", f"{len(depots):,} depots × {len(demands):,} demands is more "
                               f"than {MAX_PAIRS:,} pairs")
    items: dict[str, int] = {}
    depot_ids, depot_points, stock, _ = _places(depots, "depots", "stock", items)
    demand_ids, demand_points, need, entries = _places(demands, "demands", "need", items)
    priority = np.empty(len(entries), dtype=np.int64)
    for index, entry in enumerate(entries):
        value = entry.get("priority")
        if isinstance(value, bool) or value not in PRIORITY_WEIGHTS:
            raise ProblemError(f"demands[{index}].priority", "must be 1, 2 or 3")
        priority[index] = value
    return Problem(items=tuple(items), depot_ids=depot_ids, depot_points=depot_points,
                   stock=_matrix(stock, len(items)), demand_ids=demand_ids,
                   demand_points=demand_points, need=_matrix(need, len(items)),
                   priority=priority)


def problem_to_json(problem: Problem) -> dict[str, Any]:
    def amounts(row: np.ndarray) -> dict[str, int]:
        return {item: int(row[i]) for i, item in enumerate(problem.items) if row[i]}

    return {
        "depots": [{"id": identifier, "lat": float(lat), "lon": float(lon),
                    "stock": amounts(problem.stock[index])}
                   for index, (identifier, (lat, lon))
                   in enumerate(zip(problem.depot_ids, problem.depot_points, strict=True))],
        "demands": [{"id": identifier, "lat": float(lat), "lon": float(lon),
                     "need": amounts(problem.need[index]),
                     "priority": int(problem.priority[index])}
                    for index, (identifier, (lat, lon))
                    in enumerate(zip(problem.demand_ids, problem.demand_points, strict=True))],
    }


# ---- distances and priorities ----------------------------------------------------------

def _unit_vectors(points: np.ndarray) -> np.ndarray:
    latitude, longitude = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.stack([np.cos(latitude) * np.cos(longitude), np.cos(latitude) * np.sin(longitude),
                     np.sin(latitude)], axis=1)


def great_circle_km(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Great-circle distances, (origins, destinations), from (n, 2) latitude/longitude
    degrees: 2R·asin(chord / 2), the haversine formula through the chord between the unit
    vectors, which costs one transcendental function per pair instead of five (the matrix of
    a large problem has tens of millions) and loses no precision at short range. Worked out
    a block of origins at a time, small enough to stay in the processor's cache (three times
    faster than whole-matrix temporaries; each entry is the same), the blocks shared among
    one thread per core (numpy lets go of the GIL)."""
    start, end = _unit_vectors(origins), _unit_vectors(destinations)
    distance = np.empty((len(origins), len(destinations)))
    block = max(1, 65_536 // max(len(destinations), 1))

    def fill(first: int) -> None:
        chord = distance[first:first + block]
        near = start[first:first + block]
        difference = np.empty_like(chord)
        for axis in range(3):
            np.subtract.outer(near[:, axis], end[:, axis], out=difference if axis else chord)
            if axis:
                difference *= difference
                chord += difference
            else:
                chord *= chord
        np.sqrt(chord, out=chord)
        chord *= 0.5
        np.minimum(chord, 1.0, out=chord)
        np.arcsin(chord, out=chord)
        chord *= 2 * EARTH_RADIUS_KM

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(fill, range(0, len(origins), block)))
    return distance


def coverage(total_stock: int, need: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Step 1: for each demand of one item, COVERED, PARTLY_COVERED or NOT_COVERED.

    The stock goes to priority 1 until it is covered, then 2, then 3; a demand that needs
    nothing is covered."""
    levels = np.full(len(need), COVERED, dtype=np.int64)
    left = total_stock
    for level in sorted(PRIORITY_WEIGHTS):
        members = (priority == level) & (need > 0)
        wanted = int(need[members].sum())
        if left >= wanted:
            left -= wanted
        else:
            levels[members] = PARTLY_COVERED if left > 0 else NOT_COVERED
            left = 0
    return levels


def shortfall_reason(total_stock: int, level_need: int) -> str:
    """Why a demand of one item is short (docs/allocation.md, "Shortfalls"): ``no_stock``
    when the whole stock is less than what the demands of its own priority need, so they
    would be short even if no more urgent demand took any; otherwise the stock would have
    covered them and went to more urgent demands."""
    return NO_STOCK if total_stock < level_need else KEPT_FOR_HIGHER_PRIORITY


# ---- the solver ------------------------------------------------------------------------

class _ItemModel:
    """One item's transportation problem in HiGHS, kept between solves.

    Rows, ranged (see :meth:`update`): one per depot (ships its stock, or up to it), then
    one per demand that receives something (its need, or up to it), added the first time it
    does: a demand whose level is not covered would only be held at zero by its row, and every
    row costs the dual simplex time. A demand that stops receiving keeps its row, with the
    range [0, 0]. Columns: one artificial per depot, then one artificial per demand row and
    the arcs, added as they are needed. A change of stock, need or priority changes bounds
    and costs, and adds rows and arcs, so HiGHS starts the next solve from the last basis."""

    def __init__(self, distance: np.ndarray, nearest: int, longest: float) -> None:
        self.distance = distance  # (demands, depots): a demand's row is contiguous for pricing
        self.nearest = nearest
        self.demands, self.depots = distance.shape
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("solver", "simplex")
        self.highs.setOptionValue("presolve", "off")  # keeps the basis for warm starts
        # One thread: the items are solved in parallel (Allocator.solve), and HiGHS' own
        # workers would only contend with them for the cores (a fifth more CPU).
        self.highs.setOptionValue("threads", 1)
        self.arc_depot = np.empty(0, dtype=np.int64)
        self.arc_demand = np.empty(0, dtype=np.int64)
        self.arc_key = np.empty(0, dtype=np.int64)  # depot × demands + demand
        self.arc_column = np.empty(0, dtype=np.int64)
        self.row_of = np.full(self.demands, -1, dtype=np.int64)  # a demand's row, or -1
        self.row_demand = np.empty(0, dtype=np.int64)  # the demand of each demand row
        self.unmet_column = np.empty(0, dtype=np.int64)  # each demand row's artificial
        self.penalty = 4 * longest + 1  # longest: the largest distance
        self.columns = 0
        # Depot d's row is row d, its artificial column d.
        self._add_rows(self.depots)

    def _add_rows(self, count: int) -> np.ndarray:
        """Add ``count`` rows (bounds set later), each with its artificial column, which
        may take the rest of a depot's stock or of a demand's need at the penalty; return
        those columns."""
        first = self.highs.getNumRow()
        self.highs.addRows(count, np.zeros(count), np.zeros(count), 0,
                           np.zeros(count + 1, np.int32), np.empty(0, np.int32), np.empty(0))
        return self._add_columns(np.zeros(count), np.arange(first, first + count)[:, None])

    def _add_columns(self, costs: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Add columns of ones in these rows, from zero up; return their indices."""
        count, per_column = rows.shape
        self.highs.addCols(count, costs, np.zeros(count), np.full(count, highspy.kHighsInf),
                           count * per_column,
                           np.arange(0, count * per_column + 1, per_column, dtype=np.int32),
                           rows.reshape(-1).astype(np.int32), np.ones(count * per_column))
        self.columns += count
        return np.arange(self.columns - count, self.columns)

    def _add_arcs(self, depot: np.ndarray, demand: np.ndarray) -> None:
        key = np.sort(depot * self.demands + demand)
        key = key[np.diff(key, prepend=-1) != 0]  # unique (keys are not negative)
        key = key[~np.isin(key, self.arc_key, assume_unique=True)]
        if not len(key):
            return
        depot, demand = np.divmod(key, self.demands)
        self.arc_key = np.concatenate([self.arc_key, key])
        self.arc_depot = np.concatenate([self.arc_depot, depot])
        self.arc_demand = np.concatenate([self.arc_demand, demand])
        self.arc_column = np.concatenate([self.arc_column, self._add_columns(
            self.distance[demand, depot], np.stack([depot, self.row_of[demand]], axis=1))])

    def update(self, stock: np.ndarray, need: np.ndarray, priority: np.ndarray,
               changed: np.ndarray) -> None:
        """Set the bounds and costs for these quantities; give the demands that receive
        something a row if they have none, and mark the ``changed`` ones for arcs from their
        nearest stocked depots (added by :meth:`solve`)."""
        self.stock, self.need, self.priority = stock, need, priority
        self.total_stock = int(stock.sum())
        self.levels = coverage(self.total_stock, need, priority)
        short = self.total_stock < int(need.sum())
        self.receiving = np.flatnonzero((need > 0) & (self.levels != NOT_COVERED))
        new = self.receiving[self.row_of[self.receiving] < 0]
        if len(new):
            self.row_of[new] = self.highs.getNumRow() + np.arange(len(new))
            self.row_demand = np.concatenate([self.row_demand, new])
            self.unmet_column = np.concatenate([self.unmet_column, self._add_rows(len(new))])
        # A depot ships its whole stock while stock is short, else up to it; a demand receives
        # its whole need when its level is covered, up to it when partly covered, nothing when
        # not covered. A row whose range starts at zero is met by its own logical, which is
        # basic and feasible in HiGHS' first basis (fewer pivots than an explicit slack).
        levels, wanted = self.levels[self.row_demand], need[self.row_demand]
        upper = np.concatenate([stock, np.where(levels == NOT_COVERED, 0, wanted)]).astype(float)
        lower = np.concatenate([stock if short else np.zeros(self.depots),
                                np.where(levels == COVERED, wanted, 0)]).astype(float)
        # changeRowsBounds is in highspy's binding but not in its type stubs.
        self.highs.changeRowsBounds(  # type: ignore[attr-defined]
            len(upper), np.arange(len(upper), dtype=np.int32), lower, upper)
        # The slack columns are artificials: at the penalty, a covered demand may go short
        # and a depot keep stock (while stock is short) until pricing is done.
        open_ = np.concatenate([np.full(self.depots, short), levels == COVERED])
        slacks = np.concatenate([np.arange(self.depots), self.unmet_column]).astype(np.int32)
        self.highs.changeColsBounds(len(slacks), slacks, np.zeros(len(slacks)),
                                    np.where(open_, highspy.kHighsInf, 0.0))
        self.highs.changeColsCost(len(slacks), slacks, np.full(len(slacks), self.penalty))
        self.fresh = changed[self.receiving]  # of the receiving demands, those changed

    def _blocks(self, demands: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
        """The distance rows of these demands, a block small enough for the processor's
        cache at a time, copied into one work array (a copy of the whole would cost more in
        fresh memory than it saves): (the block's place in ``demands``, its rows)."""
        size = max(1, 65_536 // max(self.depots, 1))
        work = np.empty((min(size, len(demands)), self.depots))
        for first in range(0, len(demands), size):
            place = slice(first, first + size)
            yield place, np.take(self.distance, demands[place], axis=0,
                                 out=work[:len(demands[place])])

    def _add_nearest(self, stocked: np.ndarray) -> None:
        """Arcs from the nearest stocked depots to each fresh receiving demand (a few
        argmins: much faster than one argpartition)."""
        targets = self.receiving[self.fresh]
        self.fresh[:] = False
        keep = min(self.nearest, len(stocked))
        if not keep or not len(targets):
            return
        unstocked = np.where(self.stock > 0, 0.0, np.inf)  # never nearest
        depots, demands = [], []
        for place, near in self._blocks(targets):
            near += unstocked
            rows = np.arange(len(near))
            for _ in range(keep):
                depots.append(near.argmin(axis=1))
                demands.append(targets[place])
                near[rows, depots[-1]] = np.inf
        self._add_arcs(np.concatenate(depots), np.concatenate(demands))

    def solve(self) -> np.ndarray:
        """The optimal arc quantities (whole units), after pricing every dense arc."""
        stocked = np.flatnonzero(self.stock > 0)
        self._add_nearest(stocked)
        while True:
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kModelEmpty:  # no depots, no demand rows
                return np.zeros(0, dtype=np.int64)
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"HiGHS ended with {self.highs.modelStatusToString(status)}")
            solution = self.highs.getSolution()
            if len(stocked) and self._price(np.asarray(solution.row_dual)):
                continue
            values = np.asarray(solution.col_value)
            # The artificials (held at zero where they are closed).
            artificial = np.concatenate([values[:self.depots], values[self.unmet_column]])
            if artificial.max(initial=0.0) <= INTEGRALITY_TOLERANCE:
                return self._whole(values[self.arc_column])
            # The dense optimum still pays the penalty, which is therefore too small.
            self.penalty *= 100
            self.update(self.stock, self.need, self.priority, np.zeros(self.demands, bool))

    def _price(self, duals: np.ndarray) -> bool:
        """Add, for each receiving demand, its arc of most negative reduced cost; False when
        no arc of the dense problem has one (the restricted optimum is then the dense one).
        Arcs from depots without stock or to demands that receive nothing carry nothing
        whatever their reduced cost (their rows hold them at zero, or they have no row):
        the first are priced at +inf, the second not at all."""
        receiving = self.receiving
        demand_dual = duals[self.row_of[receiving]]
        depot_dual = np.where(self.stock > 0, duals[:self.depots], -np.inf)
        depots, demands = [], []
        for place, reduced in self._blocks(receiving):
            reduced -= demand_dual[place, None]
            reduced -= depot_dual
            best = reduced.argmin(axis=1)
            negative = reduced[np.arange(len(reduced)), best] < -REDUCED_COST_TOLERANCE
            depots.append(best[negative])
            demands.append(receiving[place][negative])
        before = len(self.arc_depot)
        self._add_arcs(np.concatenate([[], *depots]).astype(np.int64),
                       np.concatenate([[], *demands]).astype(np.int64))
        return len(self.arc_depot) > before

    def _whole(self, values: np.ndarray) -> np.ndarray:
        whole = np.rint(values)
        if np.abs(values - whole).max(initial=0.0) > INTEGRALITY_TOLERANCE:
            raise RuntimeError("the simplex solution is not integral")
        return whole.astype(np.int64)


class Allocator:
    """Solves a problem, and re-solves it after its quantities or priorities change from
    where the last solve ended (the same depots and demands at the same places)."""

    def __init__(self, problem: Problem, *, nearest: int = NEAREST) -> None:
        self.problem = problem
        distance = great_circle_km(problem.demand_points, problem.depot_points)
        longest = float(distance.max(initial=0.0))
        self.models = [_ItemModel(distance, nearest, longest) for _ in problem.items]
        self.solved = False

    def solve(self, problem: Problem | None = None) -> Plan:
        """The optimal plan for ``problem`` (default: the one given at the start)."""
        problem = problem or self.problem
        if not problem.same_places(self.problem):
            raise ValueError("a re-solve needs the same items, depots and demands at the "
                             "same places")
        if self.solved:
            changed = ((problem.need != self.problem.need).any(axis=1)
                       | (problem.priority != self.problem.priority))
            stock_changed = (problem.stock != self.problem.stock).any(axis=0)
        else:
            changed = np.ones(len(problem.demand_ids), dtype=bool)
            stock_changed = np.ones(len(problem.items), dtype=bool)
        def solve_item(item: int) -> np.ndarray:
            model = self.models[item]
            model.update(problem.stock[:, item], problem.need[:, item], problem.priority,
                         changed | stock_changed[item])
            return model.solve()

        # Items are independent and HiGHS lets go of the GIL while it solves: one thread each,
        # up to twice as many as cores, so that the last items share the cores rather than
        # one of them running alone at the end (three items on two cores: 1.5 items' time
        # instead of two).
        with ThreadPoolExecutor(max_workers=min(len(self.models),
                                                2 * (os.cpu_count() or 1)) or 1) as pool:
            arcs = list(pool.map(solve_item, range(len(self.models))))
        self.problem, self.solved = problem, True
        return self._plan(arcs)

    def _plan(self, arcs: list[np.ndarray]) -> Plan:
        problem = self.problem
        weights = np.array([0, *(PRIORITY_WEIGHTS[level] for level in (1, 2, 3))])
        # Columns of whole arrays, one entry per line, sorted and turned into lines at the end.
        sent: list[list[np.ndarray]] = [[], [], [], [], []]  # demand, depot, item, units, km
        short: list[list[np.ndarray]] = [[], [], [], []]  # demand, item, units, reason
        weighted = 0
        for item, (model, quantities) in enumerate(zip(self.models, arcs, strict=True)):
            used = np.flatnonzero(quantities)
            depot, demand, units = model.arc_depot[used], model.arc_demand[used], quantities[used]
            for column, values in zip(sent, (demand, depot, np.full(len(used), item), units,
                                             units * model.distance[demand, depot]), strict=True):
                column.append(values)
            received = np.bincount(demand, units, minlength=len(problem.demand_ids))
            missing = model.need - received.astype(np.int64)
            weighted += int(missing @ weights[problem.priority])
            reasons = np.array(["", *(shortfall_reason(model.total_stock, int(
                model.need[problem.priority == level].sum())) for level in (1, 2, 3))])
            lacking = np.flatnonzero(missing)
            for column, values in zip(short, (lacking, np.full(len(lacking), item),
                                              missing[lacking],
                                              reasons[problem.priority[lacking]]), strict=True):
                column.append(values)
        demand, depot, item_of, units, unit_km = (np.concatenate([[], *c]) for c in sent)
        order = np.lexsort((item_of, depot, demand))
        lacking, short_item, missing, why = (np.concatenate([[], *c]) for c in short)
        short_order = np.lexsort((short_item, lacking))
        ids, places, items = problem.demand_ids, problem.depot_ids, problem.items
        return Plan(
            shipments=[Shipment(places[d], ids[j], items[i], q) for j, d, i, q in zip(
                *(column[order].astype(np.int64).tolist()
                  for column in (demand, depot, item_of, units)), strict=True)],
            unmet=[Unmet(ids[j], items[i], q, str(reason)) for j, i, q, reason in zip(
                *(column[short_order].astype(np.int64).tolist()
                  for column in (lacking, short_item, missing)),
                why[short_order].tolist(), strict=True)],
            # fsum is correctly rounded, so equal plans have equal totals in any order.
            weighted_unmet=weighted, transport_km=math.fsum(unit_km))


def allocate(problem: Problem) -> Plan:
    return Allocator(problem).solve()


def dense_optimum(problem: Problem, *, solver: str = "simplex") -> tuple[int, float]:
    """(weighted unmet, transport km) of the dense problem solved as stated, for checking
    :class:`Allocator`: every stocked depot × every demand in need, one LP per item, in two
    phases (least weighted unmet; then least transport with the weighted unmet held there),
    without step 1's closed form or any pricing. Slow by design; ``solver`` is HiGHS'
    (the benchmark's dense problem takes its interior point method, "ipm", whose values are
    optimal to HiGHS' tolerance, 10⁻⁸ relative, far inside the 0.01 % the gap is held to)."""
    weights = np.array([0, *(PRIORITY_WEIGHTS[level] for level in (1, 2, 3))], dtype=float)
    distance = great_circle_km(problem.depot_points, problem.demand_points)
    weighted, transport = 0, 0.0
    for item in range(len(problem.items)):
        stock, need = problem.stock[:, item], problem.need[:, item]
        depots, demands = np.flatnonzero(stock > 0), np.flatnonzero(need > 0)
        arcs = len(depots) * len(demands)
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("solver", solver)
        # Only the optimal value is wanted: the interior point stops there, without crossing
        # over to a vertex.
        highs.setOptionValue("run_crossover", "off")
        lp = highspy.HighsLp()
        lp.num_col_ = arcs + len(demands)
        lp.num_row_ = len(depots) + len(demands)
        unmet_weights = weights[problem.priority[demands]]
        lp.col_cost_ = np.concatenate([np.zeros(arcs), unmet_weights])
        lp.col_lower_ = np.zeros(lp.num_col_)
        lp.col_upper_ = np.full(lp.num_col_, highspy.kHighsInf)
        lp.row_lower_ = np.concatenate([np.zeros(len(depots)), need[demands]]).astype(float)
        lp.row_upper_ = np.concatenate([stock[depots], need[demands]]).astype(float)
        # Arc (d, j), column d × demands + j, sits in depot row d and demand row j.
        depot_row = np.repeat(np.arange(len(depots)), len(demands))
        demand_row = len(depots) + np.tile(np.arange(len(demands)), len(depots))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([np.arange(0, 2 * arcs, 2),
                                              2 * arcs + np.arange(len(demands) + 1)])
        lp.a_matrix_.index_ = np.concatenate([np.stack([depot_row, demand_row], 1).reshape(-1),
                                              len(depots) + np.arange(len(demands))])
        lp.a_matrix_.value_ = np.ones(2 * arcs + len(demands))
        highs.passModel(lp)
        highs.run()
        least_unmet = round(highs.getInfo().objective_function_value)
        columns = np.arange(lp.num_col_, dtype=np.int32)
        highs.addRow(-highspy.kHighsInf, least_unmet, len(demands),
                     columns[arcs:], unmet_weights)
        highs.changeColsCost(lp.num_col_, columns, np.concatenate(
            [distance[np.ix_(depots, demands)].reshape(-1), np.zeros(len(demands))]))
        highs.run()
        weighted += least_unmet
        transport += highs.getInfo().objective_function_value
    return weighted, transport
