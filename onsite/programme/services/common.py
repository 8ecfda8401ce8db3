"""What every write of the programme shares: its refusals and the constants of its rules."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from onsite.core.refusals import Conflict
from onsite.org.models import Unit
from onsite.programme.assignment import Plan
from onsite.programme.explain import describe_plan
from onsite.programme.models import (
    PHASES,
)

OPEN_SCOPE = "programme.round"
PLANNED_PHASES = PHASES[:4]  # sustain has no end: it is planned as what follows
MIN_UNITS_FOR_YELLOW = 3
# A month's ranking earns cards (red flag, yellow card, interview list) only when at least this
# share of the units taking part in the programme (in a wave) has a score in it, and at least
# MIN_UNITS_FOR_YELLOW units (docs/programme.md, "Rankings and cards").
MONTH_MIN_SCORED_SHARE = Fraction(1, 2)
REPEAT_CARD_DAYS = 30
# Programme dates are planning dates: anything outside is a typing error.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class InfeasibleRoundError(Conflict):
    """The raters cannot be assigned under the rules; `plan.problems` says why (and so does
    the message, when the units are given)."""

    default_code = "infeasible"

    def __init__(self, plan: Plan, *, units: Sequence[Unit] = ()) -> None:
        message = str(_("The raters cannot be assigned under the rules."))
        if units:
            problems = describe_plan(plan, units=units)["problems"]
            message = " ".join([message, *(f"{p['constraint']}: {p['text']}" for p in problems)])
        super().__init__(message)
        self.plan = plan
