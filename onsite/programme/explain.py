"""An assignment plan in words: who rates what, and when it cannot be made, which rule fails
and why, with the names of the units, people and groups involved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onsite.accounts.models import User
from onsite.org.models import Group, Unit
from onsite.programme.assignment import Constraint, Plan, Problem, Reason

LIST_LIMIT = 8


def _names(items: Sequence[str]) -> str:
    shown = "、".join(items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        shown += _(" and %(n)d more") % {"n": len(items) - LIST_LIMIT}
    return shown


def constraint_label(constraint: Constraint) -> str:
    return {
        Constraint.INPUT: _("Input"),
        Constraint.MIN_RATERS: _("Raters per unit"),
        Constraint.BALANCE: _("Balanced loads"),
        Constraint.NO_RECIPROCAL: _("No reciprocal pairs"),
    }[constraint]


def explain(
    problem: Problem,
    *,
    unit_names: dict[int, str],
    rater_names: dict[int, str],
    group_names: dict[int, str],
    plan: Plan,
) -> str:
    units = _names([unit_names.get(u, str(u)) for u in problem.units])
    raters = _names([rater_names.get(r, str(r)) for r in problem.raters])
    p = {"units": units, "raters": raters, "need": problem.need, "have": problem.have}
    reason = problem.reason
    if reason == Reason.NO_UNITS:
        return _("Choose at least one unit.")
    if reason == Reason.BAD_MIN_RATERS:
        return _("Each unit needs at least one rater.")
    if reason == Reason.DUPLICATE_IDS:
        return _("A unit or a rater was given twice.")
    if reason == Reason.TOO_FEW_RATERS:
        return ngettext(
            "%(units)s needs %(need)d raters, but only %(have)d working-group member may rate "
            "it (nobody rates their own unit or a unit their group covers): %(raters)s.",
            "%(units)s needs %(need)d raters, but only %(have)d working-group members may rate "
            "it (nobody rates their own unit or a unit their group covers): %(raters)s.",
            problem.have,
        ) % {**p, "raters": raters or "—"}
    if reason == Reason.UNITS_OVERLOAD:
        return _(
            "%(units)s need %(need)d ratings together, but the people allowed to rate them "
            "(%(raters)s) can give at most %(have)d when nobody rates more than %(max)d units "
            "(balanced loads)."
        ) % {**p, "max": plan.max_load}
    if reason == Reason.RATERS_UNDERLOAD:
        return _(
            "For balanced loads %(raters)s must each rate at least %(min)d units "
            "(%(need)d ratings), but the units they may rate (%(units)s) can take only %(have)d "
            "of them."
        ) % {**p, "min": plan.min_load}
    if reason == Reason.LOADS:
        return _("No assignment keeps every rater's load between %(min)d and %(max)d units.") % {
            "min": plan.min_load,
            "max": plan.max_load,
        }
    pairs = _names(
        [
            f"{group_names.get(a, str(a))} ⇄ {group_names.get(b, str(b))}"
            for a, b in problem.group_pairs
        ]
    )
    if reason == Reason.EVERY_DIRECTION_FAILS:
        return _(
            "These working groups could rate each other: %(pairs)s. In one round only one of "
            "each pair may rate the other, and every one of the %(tried)d ways to choose leaves "
            "a unit short of raters or the loads unbalanced%(where)s."
        ) % {
            "pairs": pairs,
            "tried": problem.tried,
            "where": (_(" (for example %(units)s)") % p) if problem.units else "",
        }
    return _(
        "These working groups could rate each other: %(pairs)s. A search of %(tried)d ways to "
        "choose which of each pair rates the other found none that gives every unit enough "
        "raters with balanced loads (there are too many pairs to try every way)."
    ) % {"pairs": pairs, "tried": problem.tried}


def describe_plan(plan: Plan, *, units: Sequence[Unit]) -> dict[str, Any]:
    """The preview of a round: rows of (unit, its raters) and the loads, or the problems."""
    unit_names = {u.pk: u.name for u in units}
    rater_ids = set(plan.pool) | {r for p in plan.problems for r in p.raters}
    people = User.objects.filter(pk__in=rater_ids).in_bulk()
    rater_names = {pk: user.display_name for pk, user in people.items()}
    group_ids = {g for p in plan.problems for pair in p.group_pairs for g in pair}
    group_ids |= {g for pair in plan.directions for g in pair}
    group_names = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    problems = [
        {
            "constraint": constraint_label(p.constraint),
            "text": explain(
                p,
                unit_names=unit_names,
                rater_names=rater_names,
                group_names=group_names,
                plan=plan,
            ),
        }
        for p in plan.problems
    ]
    raters_of: dict[int, list[str]] = defaultdict(list)
    reused = set(plan.reused)
    for rater, unit in plan.pairs:
        name = rater_names.get(rater, str(rater))
        raters_of[unit].append(f"{name} ↺" if (rater, unit) in reused else name)
    loads = plan.loads()
    used = [n for n in loads.values() if n]
    return {
        "ok": plan.ok,
        "seed": plan.seed,
        "problems": problems,
        "rows": [(u, raters_of.get(u.pk, [])) for u in units] if plan.ok else [],
        "pool": len(plan.pool),
        "used": len(used),
        "min_load": plan.min_load,
        "max_load": plan.max_load,
        "reused": len(plan.reused),
        "directions": [
            f"{group_names.get(a, a)} → {group_names.get(b, b)}" for a, b in plan.directions
        ],
    }
