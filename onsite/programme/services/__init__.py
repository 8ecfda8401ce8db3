"""Writes of the programme, shared by the pages and the API. Each is one transaction with its
audit row; notifications go out after commit. They refuse a move their rules do not allow
(Conflict, Invalid); who may make it is checked by the acts in `onsite.programme.actions`,
the one door of the pages and the API.

- `plan`: the programme and its waves;
- `phases`: each unit's phases, exit gates, overrides;
- `rounds`: acceptance rounds, rating sheets, closing;
- `rankings`: monthly rankings, cards, the interview list."""

from onsite.programme.services.common import (
    MIN_UNITS_FOR_YELLOW,
    PLANNED_PHASES,
    REPEAT_CARD_DAYS,
    InfeasibleRoundError,
)
from onsite.programme.services.phases import (
    check_gate,
    override_phase,
    request_acceptance,
    start_phase,
    start_wave,
    update_gate,
)
from onsite.programme.services.plan import (
    create_programme,
    split_dates,
    update_programme,
    update_wave,
)
from onsite.programme.services.rankings import (
    hold_interview,
    issue_card,
    issue_finding_cards,
    publish_month,
    revoke_card,
)
from onsite.programme.services.rounds import (
    SheetState,
    close_round,
    new_seed,
    open_round,
    plan_round,
    rateable_zones,
    rater_scores,
    round_inputs,
    round_progress,
    sheet_states,
    start_sheet,
)

__all__ = [
    "MIN_UNITS_FOR_YELLOW",
    "PLANNED_PHASES",
    "REPEAT_CARD_DAYS",
    "InfeasibleRoundError",
    "SheetState",
    "check_gate",
    "close_round",
    "create_programme",
    "hold_interview",
    "issue_card",
    "issue_finding_cards",
    "new_seed",
    "open_round",
    "override_phase",
    "plan_round",
    "publish_month",
    "rateable_zones",
    "rater_scores",
    "request_acceptance",
    "revoke_card",
    "round_inputs",
    "round_progress",
    "sheet_states",
    "split_dates",
    "start_phase",
    "start_sheet",
    "start_wave",
    "update_gate",
    "update_programme",
    "update_wave",
]
