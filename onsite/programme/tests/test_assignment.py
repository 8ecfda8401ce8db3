"""The rater assignment over random group structures: every plan meets the rules, or the
problem it reports is checked independently (and, on small rounds, against a brute force
search over every possible assignment)."""

import itertools
import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onsite.programme.assignment import (
    EXHAUSTIVE_PAIRS,
    Constraint,
    Rater,
    Reason,
    UnitToRate,
    assign_raters,
    may_rate,
)

# --- an independent checker ----------------------------------------------------------------


def eligible(unit, raters):
    """Rule 1 written again, by hand: not the own unit, not a unit of the own group."""
    return [
        r for r in raters if r.unit != unit.id and (unit.group is None or r.group != unit.group)
    ]


def pool_of(units, raters):
    return {r.id for u in units for r in eligible(u, raters)}


def bounds(units, raters, k):
    pool = pool_of(units, raters)
    total = k * len(units)
    if not pool:
        return pool, 0, 0
    return pool, total // len(pool), -(-total // len(pool))


def violations(units, raters, k, pairs):
    """Every rule an assignment breaks, as readable strings (empty: it is valid)."""
    unit_by_id = {u.id: u for u in units}
    rater_by_id = {r.id: r for r in raters}
    found = []
    if len(set(pairs)) != len(pairs):
        found.append("a pair twice")
    for rater_id, unit_id in pairs:
        rater, unit = rater_by_id[rater_id], unit_by_id[unit_id]
        if rater.unit == unit.id:
            found.append(f"rater {rater.id} rates own unit {unit.id}")
        if unit.group is not None and unit.group == rater.group:
            found.append(f"rater {rater.id} rates a unit of own group {unit.group}")
    directions = {
        (rater_by_id[r].group, unit_by_id[u].group)
        for r, u in pairs
        if unit_by_id[u].group is not None
    }
    for a, b in directions:
        if (b, a) in directions:
            found.append(f"groups {a} and {b} rate each other")
    for unit in units:
        count = sum(1 for _, u in pairs if u == unit.id)
        if count < k:
            found.append(f"unit {unit.id} has {count} raters")
    pool, low, high = bounds(units, raters, k)
    loads = dict.fromkeys(pool, 0)
    for r, _ in pairs:
        loads[r] = loads.get(r, 0) + 1
    if loads and (max(loads.values()) > high or min(loads.values()) < low):
        found.append(f"loads {sorted(loads.values())} outside {low}..{high}")
    if set(loads) - pool:
        found.append("a rater outside the pool rates")
    return found


def brute_force(units, raters, k, previous=frozenset()):
    """The fewest previous pairs any valid assignment repeats, or None if none is valid."""
    best = None
    options = [itertools.combinations(eligible(u, raters), k) for u in units]
    for combo in itertools.product(*options):
        pairs = [(r.id, u.id) for u, chosen in zip(units, combo, strict=True) for r in chosen]
        if violations(units, raters, k, pairs):
            continue
        reused = sum(p in previous for p in pairs)
        if best is None or reused < best:
            best = reused
    return best


def check_problem(problem, plan, units, raters, k):
    """The reported reason holds when recomputed from the inputs."""
    unit_by_id = {u.id: u for u in units}
    if problem.reason == Reason.TOO_FEW_RATERS:
        (unit_id,) = problem.units
        have = eligible(unit_by_id[unit_id], raters)
        assert problem.constraint == Constraint.MIN_RATERS
        assert problem.have == len(have) < k == problem.need
        assert set(problem.raters) == {r.id for r in have}
    elif problem.reason == Reason.UNITS_OVERLOAD:
        chosen = [unit_by_id[u] for u in problem.units]
        per_rater = {}
        for unit in chosen:
            for rater in eligible(unit, raters):
                per_rater[rater.id] = per_rater.get(rater.id, 0) + 1
        assert set(problem.raters) == set(per_rater)
        have = sum(min(plan.max_load, n) for n in per_rater.values())
        assert problem.have == have < problem.need == k * len(chosen)
    elif problem.reason == Reason.RATERS_UNDERLOAD:
        ids = set(problem.raters)
        assert ids <= pool_of(units, raters)
        have = sum(
            min(k, sum(r.id in ids for r in eligible(u, raters)))
            for u in units
            if any(r.id in ids for r in eligible(u, raters))
        )
        assert problem.have == have < problem.need == plan.min_load * len(ids)
    elif problem.reason == Reason.EVERY_DIRECTION_FAILS:
        assert problem.constraint == Constraint.NO_RECIPROCAL
        assert 0 < len(problem.group_pairs) <= EXHAUSTIVE_PAIRS
        assert problem.tried == 2 ** len(problem.group_pairs)
        # Each named pair really could rate each other.
        for a, b in problem.group_pairs:
            assert any(r.group == a and u.group == b for u in units for r in eligible(u, raters))
            assert any(r.group == b and u.group == a for u in units for r in eligible(u, raters))
    elif problem.reason == Reason.SEARCH_LIMITED:
        assert len(problem.group_pairs) > EXHAUSTIVE_PAIRS
    else:
        assert problem.reason == Reason.LOADS, problem


# --- random group structures ---------------------------------------------------------------


@st.composite
def rounds(draw, max_units=4, max_raters=8, max_groups=4):
    groups = draw(st.integers(1, max_groups))
    n_units = draw(st.integers(1, max_units))
    units = [
        UnitToRate(id=1 + i, group=draw(st.one_of(st.none(), st.integers(1, groups))))
        for i in range(n_units)
    ]
    # Raters work in a unit of the round, in a unit outside it (ids 90+) or in none.
    work = st.one_of(st.none(), st.integers(1, n_units), st.integers(90, 92))
    raters = [
        Rater(id=100 + j, group=draw(st.integers(1, groups)), unit=draw(work))
        for j in range(draw(st.integers(0, max_raters)))
    ]
    k = draw(st.integers(1, 3))
    return units, raters, k


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds(max_units=3, max_raters=6), st.integers(0, 2**32), st.data())
@example(  # two groups that could only rate each other: rule 2 makes it impossible
    ([UnitToRate(1, 1), UnitToRate(2, 2)], [Rater(10, 1, None), Rater(11, 2, None)], 1), 0, None
)
def test_small_rounds_agree_with_a_brute_force_search(structure, seed, data):
    units, raters, k = structure
    previous = set()
    if data is not None and raters:
        previous = set(
            data.draw(
                st.lists(
                    st.tuples(st.sampled_from([r.id for r in raters]), st.sampled_from([1, 2, 3]))
                )
            )
        )
    plan = assign_raters(units, raters, min_raters=k, previous_pairs=previous, seed=seed)
    best = brute_force(units, raters, k, frozenset(previous))
    if plan.ok:
        assert violations(units, raters, k, list(plan.pairs)) == []
        assert best is not None
        assert len(plan.reused) == best, "repeats as few of last round's pairs as possible"
        assert set(plan.reused) == set(plan.pairs) & previous
    else:
        assert best is None, f"reported {plan.problems} but a valid assignment exists"
        assert plan.pairs == ()
        (problem,) = plan.problems
        check_problem(problem, plan, units, raters, k)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds(max_units=10, max_raters=30, max_groups=7), st.integers(0, 2**32))
def test_larger_rounds_meet_every_rule_or_say_which_cannot_hold(structure, seed):
    units, raters, k = structure
    plan = assign_raters(units, raters, min_raters=k, seed=seed)
    if plan.ok:
        assert violations(units, raters, k, list(plan.pairs)) == []
        loads = plan.loads()
        assert max(loads.values()) - min(loads.values()) <= 1
    else:
        assert plan.pairs == ()
        (problem,) = plan.problems
        check_problem(problem, plan, units, raters, k)


@settings(max_examples=60, deadline=None)
@given(rounds(max_units=6, max_raters=16, max_groups=5), st.integers(0, 2**32), st.randoms())
def test_the_seed_reproduces_the_plan_whatever_the_input_order(structure, seed, rnd):
    units, raters, k = structure
    first = assign_raters(units, raters, min_raters=k, seed=seed)
    shuffled_units, shuffled_raters = list(units), list(raters)
    rnd.shuffle(shuffled_units)
    rnd.shuffle(shuffled_raters)
    again = assign_raters(shuffled_units, shuffled_raters, min_raters=k, seed=seed)
    assert again == first


def test_a_round_that_needs_every_group_direction_choice_finds_one():
    # Four groups each covering one unit; two members per group. Every group could rate every
    # other, so 6 pairs need a direction; a cyclic choice (1→2→3→4→1 …) exists.
    units = [UnitToRate(i, group=i) for i in range(1, 5)]
    raters = [Rater(10 * g + j, group=g, unit=g) for g in range(1, 5) for j in range(2)]
    plan = assign_raters(units, raters, min_raters=2, seed=7)
    assert plan.ok, plan.problems
    assert violations(units, raters, 2, list(plan.pairs)) == []
    assert plan.directions, "the round says which group rated which"


def test_the_issue_example_three_units_two_outside_raters():
    units = [UnitToRate(1, 1), UnitToRate(2, 2), UnitToRate(3, 3)]
    raters = [Rater(10, group=4, unit=4), Rater(11, group=4, unit=5)]
    plan = assign_raters(units, raters, min_raters=2, seed=1)
    assert plan.ok
    assert plan.loads() == {10: 3, 11: 3}


def test_too_few_raters_names_the_unit_and_who_could_rate_it():
    units = [UnitToRate(1, group=1), UnitToRate(2, group=2)]
    raters = [Rater(10, group=1, unit=1), Rater(11, group=2, unit=2), Rater(12, group=3)]
    plan = assign_raters(units, raters, min_raters=3, seed=0)
    (problem,) = plan.problems
    assert problem.constraint == Constraint.MIN_RATERS
    assert problem.reason == Reason.TOO_FEW_RATERS
    assert problem.need == 3
    assert problem.have == 2


def test_balance_that_cannot_hold_is_reported_not_relaxed():
    # r1 and r2 may rate u1..u3, r3 only u1: six ratings, three raters → two each, but
    # u2 and u3 can only take r1 and r2, which leaves u1 needing r3 and one of them again.
    units = [UnitToRate(1, None), UnitToRate(2, 5), UnitToRate(3, 5)]
    raters = [Rater(11, 1), Rater(12, 2), Rater(13, 5)]
    assert not may_rate(raters[2], units[1])
    plan = assign_raters(units, raters, min_raters=2, seed=0)
    assert not plan.ok
    (problem,) = plan.problems
    assert problem.constraint == Constraint.BALANCE
    assert brute_force(units, raters, 2) is None


def test_last_rounds_pairs_are_avoided_when_possible():
    units = [UnitToRate(1, 1), UnitToRate(2, 2)]
    raters = [Rater(10 + i, group=3 + i % 2) for i in range(8)]
    first = assign_raters(units, raters, min_raters=2, seed=4)
    second = assign_raters(units, raters, min_raters=2, seed=4, previous_pairs=first.pairs)
    assert first.ok
    assert second.ok
    assert second.reused == ()
    assert set(first.pairs).isdisjoint(second.pairs)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"units": [], "raters": [Rater(1, 1)]}, Reason.NO_UNITS),
        ({"units": [UnitToRate(1)], "raters": [], "min_raters": 0}, Reason.BAD_MIN_RATERS),
        ({"units": [UnitToRate(1), UnitToRate(1)], "raters": []}, Reason.DUPLICATE_IDS),
    ],
)
def test_bad_input_is_a_problem_not_an_exception(kwargs, reason):
    plan = assign_raters(**kwargs)
    assert [p.reason for p in plan.problems] == [reason]
    assert plan.problems[0].constraint == Constraint.INPUT


def test_many_conflicting_groups_use_a_bounded_search():
    # 14 groups, each covering one unit, each with 3 members: 91 pairs could rate each other;
    # the seeded search finds directions without trying all 2^91 choices.
    rng = random.Random(1)
    units = [UnitToRate(g, group=g) for g in range(1, 15)]
    raters = [Rater(100 * g + j, group=g, unit=g) for g in range(1, 15) for j in range(3)]
    rng.shuffle(raters)
    plan = assign_raters(units, raters, min_raters=2, seed=11)
    if plan.ok:
        assert violations(units, raters, 2, list(plan.pairs)) == []
    else:
        assert plan.problems[0].reason == Reason.SEARCH_LIMITED
