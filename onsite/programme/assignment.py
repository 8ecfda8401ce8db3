"""Who rates which unit in an acceptance round (成果验收): a pure function, no database.

`assign_raters(units, raters, min_raters=, previous_pairs=, seed=)` gives every unit exactly
`min_raters` raters such that

1. **own unit, own group** (never broken): nobody rates the unit they work in, nor a unit
   covered by their own working group;
2. **no reciprocal pairs** (never broken): if a member of working group A rates a unit covered
   by group B, no member of B rates a unit covered by A in the same round;
3. **at least `min_raters` raters per unit** (exactly that many are assigned);
4. **balanced loads**: let the *pool* be the raters allowed by rule 1 to rate at least one unit
   of the round, and S = min_raters × number of units. Every rater of the pool rates
   ⌊S / |pool|⌋ or ⌈S / |pool|⌉ units, i.e. max − min ≤ 1 over the whole pool (so when there
   are more raters than ratings, the work goes to different people, one unit each);
5. **last round's pairings avoided where possible** (soft): among the assignments meeting 1–4
   one that repeats the fewest (rater, unit) pairs of `previous_pairs` is chosen;
6. **reproducible**: the same inputs and `seed` give the same assignment, whatever the order
   of the inputs.

When 1–4 cannot all hold, the result has no pairs and `problems` names the constraint and why
(a unit short of eligible raters, a set of units or raters whose numbers cannot add up, or the
group pairs whose reciprocity cannot be resolved); nothing is silently relaxed.

How: a min-cost flow (source → unit, capacity min_raters → rater, capacity 1 → sink, with
the pool's lower load bound as a negative-cost part so it fills first). Rule 2 leaves, for
each pair of groups that could rate each other, a choice of direction; with at most
`EXHAUSTIVE_PAIRS` such pairs every choice is tried (so "infeasible" is a proof), beyond that
a seeded local search tries `SEARCH_TRIES` choices and says so if it finds none."""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

EXHAUSTIVE_PAIRS = 10
SEARCH_TRIES = 300


@dataclass(frozen=True)
class Rater:
    id: int
    group: int  # the working group they belong to
    unit: int | None = None  # the unit they work in


@dataclass(frozen=True)
class UnitToRate:
    id: int
    group: int | None = None  # the working group covering it


class Constraint(StrEnum):
    INPUT = "input"
    MIN_RATERS = "min_raters"
    BALANCE = "balance"
    NO_RECIPROCAL = "no_reciprocal"


class Reason(StrEnum):
    NO_UNITS = "no_units"
    BAD_MIN_RATERS = "bad_min_raters"
    DUPLICATE_IDS = "duplicate_ids"
    TOO_FEW_RATERS = "too_few_raters"  # one unit has fewer than min_raters eligible raters
    UNITS_OVERLOAD = "units_overload"  # units need more ratings than their raters may give
    RATERS_UNDERLOAD = "raters_underload"  # raters must rate more than their units can take
    LOADS = "loads"  # the two load bounds cannot hold together
    EVERY_DIRECTION_FAILS = "every_direction_fails"
    SEARCH_LIMITED = "search_limited"


@dataclass(frozen=True)
class Problem:
    """Why no assignment meets the rules. `need` and `have` are the numbers that do not add
    up; `units`, `raters` and `group_pairs` the ones involved."""

    constraint: Constraint
    reason: Reason
    units: tuple[int, ...] = ()
    raters: tuple[int, ...] = ()
    group_pairs: tuple[tuple[int, int], ...] = ()
    need: int = 0
    have: int = 0
    tried: int = 0


@dataclass(frozen=True)
class Plan:
    pairs: tuple[tuple[int, int], ...]  # (rater id, unit id), sorted
    problems: tuple[Problem, ...]
    seed: int
    min_raters: int
    pool: tuple[int, ...] = ()  # rater ids allowed by rule 1 to rate some unit of the round
    min_load: int = 0
    max_load: int = 0
    reused: tuple[tuple[int, int], ...] = ()  # pairs repeated from previous_pairs
    directions: tuple[tuple[int, int], ...] = field(default=())  # (rating group, rated group)

    @property
    def ok(self) -> bool:
        return not self.problems

    def loads(self) -> dict[int, int]:
        counts = dict.fromkeys(self.pool, 0)
        for rater, _unit in self.pairs:
            counts[rater] = counts.get(rater, 0) + 1
        return counts


def may_rate(rater: Rater, unit: UnitToRate) -> bool:
    """Rule 1: not their own unit, not a unit their own working group covers."""
    if rater.unit is not None and rater.unit == unit.id:
        return False
    return unit.group is None or unit.group != rater.group


# --- min-cost flow -----------------------------------------------------------------------


class _Flow:
    """Successive shortest paths (Bellman-Ford queue) on a small graph; costs may be negative
    on edges out of the source side only, so the residual graph never has a negative cycle."""

    def __init__(self, size: int) -> None:
        self.adj: list[list[int]] = [[] for _ in range(size)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def add(self, a: int, b: int, cap: int, cost: int = 0) -> int:
        index = len(self.to)
        self.to += [b, a]
        self.cap += [cap, 0]
        self.cost += [cost, -cost]
        self.adj[a].append(index)
        self.adj[b].append(index + 1)
        return index

    def run(self, source: int, sink: int, limit: int) -> int:
        flow = 0
        size = len(self.adj)
        while flow < limit:
            dist: list[float] = [float("inf")] * size
            back = [-1] * size
            queued = [False] * size
            dist[source] = 0
            queue = deque([source])
            while queue:
                node = queue.popleft()
                queued[node] = False
                for edge in self.adj[node]:
                    if self.cap[edge] <= 0:
                        continue
                    nxt = self.to[edge]
                    cand = dist[node] + self.cost[edge]
                    if cand < dist[nxt]:
                        dist[nxt] = cand
                        back[nxt] = edge
                        if not queued[nxt]:
                            queued[nxt] = True
                            queue.append(nxt)
            if back[sink] == -1:
                break
            node = sink
            while node != source:
                edge = back[node]
                self.cap[edge] -= 1
                self.cap[edge ^ 1] += 1
                node = self.to[edge ^ 1]
            flow += 1
        return flow

    def reachable(self, source: int) -> set[int]:
        seen = {source}
        stack = [source]
        while stack:
            node = stack.pop()
            for edge in self.adj[node]:
                if self.cap[edge] > 0 and self.to[edge] not in seen:
                    seen.add(self.to[edge])
                    stack.append(self.to[edge])
        return seen


@dataclass
class _Solved:
    pairs: list[tuple[int, int]] | None
    reused: int = 0
    problem: Problem | None = None


class _Round:
    """One round's data, sorted and indexed, shared by every attempt."""

    def __init__(
        self,
        units: Sequence[UnitToRate],
        raters: Sequence[Rater],
        k: int,
        previous: frozenset[tuple[int, int]],
        rng: random.Random,
    ) -> None:
        self.units = sorted(units, key=lambda u: u.id)
        self.k = k
        self.previous = previous
        self.rng = rng
        eligible = {u.id: [r for r in raters if may_rate(r, u)] for u in self.units}
        pool_ids = {r.id for rs in eligible.values() for r in rs}
        self.pool = sorted((r for r in raters if r.id in pool_ids), key=lambda r: r.id)
        self.eligible = {u: sorted(rs, key=lambda r: r.id) for u, rs in eligible.items()}
        self.total = k * len(self.units)
        if self.pool:
            low, extra = divmod(self.total, len(self.pool))
            self.low, self.high = low, low + (1 if extra else 0)
        else:
            self.low = self.high = 0

    def edges(self, blocked: frozenset[tuple[int, int]]) -> dict[int, list[Rater]]:
        """Eligible raters per unit once the blocked (rating group, rated group) directions
        are taken out."""
        return {
            u.id: [r for r in self.eligible[u.id] if (r.group, u.group) not in blocked]
            for u in self.units
        }

    def solve(
        self, blocked: frozenset[tuple[int, int]], *, low: int | None, high: int | None
    ) -> _Solved:
        """Exactly k raters per unit, every pool rater's load within [low, high] (None: no
        bound), fewest previous pairs. On failure the problem says which bound fails and the
        units or raters whose numbers do not add up (a minimum cut)."""
        edges = self.edges(blocked)
        for unit in self.units:
            if len(edges[unit.id]) < self.k:
                return _Solved(
                    None,
                    problem=Problem(
                        Constraint.MIN_RATERS,
                        Reason.TOO_FEW_RATERS,
                        units=(unit.id,),
                        raters=tuple(r.id for r in edges[unit.id]),
                        need=self.k,
                        have=len(edges[unit.id]),
                    ),
                )
        n, m = len(self.units), len(self.pool)
        source, sink = 0, n + m + 1
        unit_node = {u.id: 1 + i for i, u in enumerate(self.units)}
        rater_node = {r.id: 1 + n + j for j, r in enumerate(self.pool)}
        flow = _Flow(n + m + 2)
        big = self.total + 1
        unit_order = list(self.units)
        self.rng.shuffle(unit_order)
        for unit in unit_order:
            flow.add(source, unit_node[unit.id], self.k)
        pair_edges: list[tuple[int, int, int]] = []
        for unit in unit_order:
            raters = list(edges[unit.id])
            self.rng.shuffle(raters)
            for rater in raters:
                cost = 1 if (rater.id, unit.id) in self.previous else 0
                index = flow.add(unit_node[unit.id], rater_node[rater.id], 1, cost)
                pair_edges.append((index, rater.id, unit.id))
        lower_edges: list[tuple[int, Rater]] = []
        for rater in self.pool:
            floor = low or 0
            if floor:
                lower_edges.append((flow.add(rater_node[rater.id], sink, floor, -big), rater))
            room = (self.total if high is None else high) - floor
            if room > 0:
                flow.add(rater_node[rater.id], sink, room)
        value = flow.run(source, sink, self.total)
        if value < self.total:
            return _Solved(None, problem=self._overload(flow, edges, unit_node, high))
        if any(flow.cap[index] > 0 for index, _ in lower_edges):
            return _Solved(None, problem=self._underload(edges, rater_node, low or 0))
        pairs = sorted((r, u) for index, r, u in pair_edges if flow.cap[index] == 0)
        reused = sum((pair in self.previous) for pair in pairs)
        return _Solved(pairs, reused=reused)

    def _overload(
        self,
        flow: _Flow,
        edges: dict[int, list[Rater]],
        unit_node: dict[int, int],
        high: int | None,
    ) -> Problem:
        # Units still reachable from the source after a maximum flow: together they need
        # more ratings than the raters allowed to rate them can give within `high` each.
        reach = flow.reachable(0)
        units = [u for u in self.units if unit_node[u.id] in reach]
        ids = {u.id for u in units}
        raters = sorted({r.id for u in units for r in edges[u.id]})
        per_rater: dict[int, int] = {}
        for unit in units:
            for rater in edges[unit.id]:
                per_rater[rater.id] = per_rater.get(rater.id, 0) + 1
        cap = self.total if high is None else high
        have = sum(min(cap, count) for count in per_rater.values())
        return Problem(
            Constraint.BALANCE if high is not None else Constraint.MIN_RATERS,
            Reason.UNITS_OVERLOAD,
            units=tuple(sorted(ids)),
            raters=tuple(raters),
            need=self.k * len(units),
            have=have,
        )

    def _underload(
        self, edges: dict[int, list[Rater]], rater_node: dict[int, int], low: int
    ) -> Problem:
        # Raters not reachable from the source in the residual graph of the lower-bound-only
        # flow: they must take `low` ratings each, but their units cannot give that many.
        sink = len(self.units) + len(self.pool) + 1
        check = _Flow(sink + 1)
        unit_node = {u.id: 1 + i for i, u in enumerate(self.units)}
        for unit in self.units:
            check.add(0, unit_node[unit.id], self.k)
            for rater in edges[unit.id]:
                check.add(unit_node[unit.id], rater_node[rater.id], 1)
        for rater in self.pool:
            check.add(rater_node[rater.id], sink, low)
        check.run(0, sink, low * len(self.pool))
        reach = check.reachable(0)
        raters = [r for r in self.pool if rater_node[r.id] not in reach]
        ids = {r.id for r in raters}
        units = [u for u in self.units if any(r.id in ids for r in edges[u.id])]
        have = sum(min(self.k, sum(r.id in ids for r in edges[u.id])) for u in units)
        if not raters or have >= low * len(raters):  # the bounds only clash together
            return Problem(
                Constraint.BALANCE,
                Reason.LOADS,
                raters=tuple(r.id for r in self.pool),
                need=self.low,
                have=self.high,
            )
        return Problem(
            Constraint.BALANCE,
            Reason.RATERS_UNDERLOAD,
            units=tuple(u.id for u in units),
            raters=tuple(sorted(ids)),
            need=low * len(raters),
            have=have,
        )


def _conflicts(data: _Round) -> list[tuple[int, int]]:
    """Pairs of groups (a < b) where a member of each could rate a unit of the other."""
    directions = {
        (r.group, u.group)
        for u in data.units
        if u.group is not None
        for r in data.eligible[u.id]
        if r.group != u.group
    }
    return sorted((a, b) for a, b in directions if a < b and (b, a) in directions)


def _crossings(pairs: Iterable[tuple[int, int]], data: _Round) -> set[tuple[int, int]]:
    group_of_rater = {r.id: r.group for r in data.pool}
    group_of_unit = {u.id: u.group for u in data.units}
    used: set[tuple[int, int]] = set()
    for rater, unit in pairs:
        rated = group_of_unit[unit]
        if rated is not None:
            used.add((group_of_rater[rater], rated))
    return {(a, b) for a, b in used if (b, a) in used}


def _blocked(
    conflicts: Sequence[tuple[int, int]], choice: Sequence[bool]
) -> frozenset[tuple[int, int]]:
    """For each conflicting pair (a, b): True lets a rate b (b may not rate a), False the
    reverse."""
    return frozenset(
        (b, a) if forward else (a, b) for (a, b), forward in zip(conflicts, choice, strict=True)
    )


def assign_raters(
    units: Sequence[UnitToRate],
    raters: Sequence[Rater],
    *,
    min_raters: int = 2,
    previous_pairs: Iterable[tuple[int, int]] = (),
    seed: int = 0,
) -> Plan:
    """See the module docstring for the rules. Returns a Plan whose `problems` is empty when
    every rule holds, else names the rule that cannot hold and why (and has no pairs)."""
    empty = Plan(pairs=(), problems=(), seed=seed, min_raters=min_raters)
    if min_raters < 1:
        return _fail(
            empty, Problem(Constraint.INPUT, Reason.BAD_MIN_RATERS, need=1, have=min_raters)
        )
    if not units:
        return _fail(empty, Problem(Constraint.INPUT, Reason.NO_UNITS))
    if len({u.id for u in units}) != len(units) or len({r.id for r in raters}) != len(raters):
        return _fail(empty, Problem(Constraint.INPUT, Reason.DUPLICATE_IDS))
    rng = random.Random(seed)  # noqa: S311 - reproducible tie-breaking, not security
    data = _Round(units, raters, min_raters, frozenset(previous_pairs), rng)
    base = Plan(
        pairs=(),
        problems=(),
        seed=seed,
        min_raters=min_raters,
        pool=tuple(r.id for r in data.pool),
        min_load=data.low,
        max_load=data.high,
    )
    # Rules 1, 3 and 4 alone: if they fail, rule 2 (which only removes choices) cannot help.
    relaxed = data.solve(frozenset(), low=data.low, high=data.high)
    if relaxed.pairs is None:
        return _fail(base, relaxed.problem or Problem(Constraint.BALANCE, Reason.LOADS))
    if not _crossings(relaxed.pairs, data):
        return _done(base, data, relaxed.pairs, directions=())
    conflicts = _conflicts(data)
    best: tuple[int, list[tuple[int, int]], tuple[bool, ...]] | None = None
    last_problem: Problem | None = None
    tried = 0
    for choice in _choices(conflicts, relaxed.pairs, data):
        tried += 1
        solved = data.solve(_blocked(conflicts, choice), low=data.low, high=data.high)
        if solved.pairs is None:
            last_problem = solved.problem
            continue
        if best is None or solved.reused < best[0]:
            best = (solved.reused, solved.pairs, choice)
        if solved.reused <= relaxed.reused:  # cannot do better than without rule 2
            break
    if best is None:
        exhaustive = len(conflicts) <= EXHAUSTIVE_PAIRS
        return _fail(
            base,
            Problem(
                Constraint.NO_RECIPROCAL,
                Reason.EVERY_DIRECTION_FAILS if exhaustive else Reason.SEARCH_LIMITED,
                units=last_problem.units if last_problem else (),
                group_pairs=tuple(conflicts),
                need=data.k,
                tried=tried,
            ),
        )
    directions = tuple(
        (a, b) if forward else (b, a) for (a, b), forward in zip(conflicts, best[2], strict=True)
    )
    return _done(base, data, best[1], directions=directions)


def _choices(
    conflicts: list[tuple[int, int]], pairs: list[tuple[int, int]], data: _Round
) -> Iterable[tuple[bool, ...]]:
    """Directions to try: first the one the unrestricted assignment leaned to, then every
    other (few pairs) or a seeded search around it (many)."""
    group_of_rater = {r.id: r.group for r in data.pool}
    group_of_unit = {u.id: u.group for u in data.units}
    weight: dict[tuple[int, int], int] = {}
    for r, u in pairs:
        key = (group_of_rater[r], group_of_unit[u] or 0)
        weight[key] = weight.get(key, 0) + 1
    lean = tuple(weight.get((a, b), 0) >= weight.get((b, a), 0) for a, b in conflicts)
    yield lean
    if len(conflicts) <= EXHAUSTIVE_PAIRS:
        for choice in itertools.product((True, False), repeat=len(conflicts)):
            if choice != lean:
                yield choice
        return
    current = list(lean)
    for _ in range(SEARCH_TRIES - 1):
        flips = data.rng.randint(1, max(1, len(conflicts) // 4))
        for index in data.rng.sample(range(len(conflicts)), flips):
            current[index] = not current[index]
        yield tuple(current)


def _fail(base: Plan, problem: Problem) -> Plan:
    return Plan(
        pairs=(),
        problems=(problem,),
        seed=base.seed,
        min_raters=base.min_raters,
        pool=base.pool,
        min_load=base.min_load,
        max_load=base.max_load,
    )


def _done(
    base: Plan,
    data: _Round,
    pairs: list[tuple[int, int]],
    *,
    directions: tuple[tuple[int, int], ...],
) -> Plan:
    return Plan(
        pairs=tuple(sorted(pairs)),
        problems=(),
        seed=base.seed,
        min_raters=base.min_raters,
        pool=base.pool,
        min_load=base.min_load,
        max_load=base.max_load,
        reused=tuple(sorted(p for p in pairs if p in data.previous)),
        directions=directions,
    )
