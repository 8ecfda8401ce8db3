"""What every write of the programme shares: its error and the constants of its rules."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from onsite.programme.assignment import Plan
from onsite.programme.models import (
    PHASES,
)

OPEN_SCOPE = "programme.round"
PLANNED_PHASES = PHASES[:4]  # sustain has no end: it is planned as what follows
MIN_UNITS_FOR_YELLOW = 3
REPEAT_CARD_DAYS = 30
# Programme dates are planning dates: anything outside is a typing error.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class ProgrammeError(Exception):
    """A move the rules do not allow; `message` is shown to the user."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class InfeasibleRoundError(ProgrammeError):
    """The raters cannot be assigned under the rules; `plan.problems` says why."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(_("The raters cannot be assigned under the rules."))
        self.plan = plan
