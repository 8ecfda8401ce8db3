"""Acceptance rounds (成果验收): open with an assignment of raters, rating sheets, close."""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.core.ranking import competition_ranks
from onsite.core.refusals import Conflict, Invalid, NotAllowed, Refusal
from onsite.inspections.models import Inspection, InspectionSettings
from onsite.inspections.services import start_inspection
from onsite.notifications.services import notify
from onsite.org.models import Group, Membership, Unit, Zone
from onsite.programme import gates, results
from onsite.programme.assignment import Plan, Rater, UnitToRate, assign_raters
from onsite.programme.models import (
    PHASE_PILLARS,
    PHASES,
    AcceptanceRound,
    Assignment,
    Card,
    ExitGate,
    Phase,
    PhaseProgress,
    Programme,
    ProgressStatus,
    RatingSheet,
    RoundUnit,
)
from onsite.programme.services.common import (
    OPEN_SCOPE,
    InfeasibleRoundError,
)
from onsite.programme.services.phases import accept_phase, move_phase
from onsite.programme.services.rankings import issue_ranking_cards
from onsite.standards.models import StandardVersion

# --- acceptance rounds ---------------------------------------------------------------------


def rateable_zones(units: Iterable[Unit]) -> dict[int, list[Zone]]:
    """Active zones of the units whose area type has a published standard."""
    units = list(units)
    zones = list(
        Zone.objects.filter(unit__in=units, is_active=True)
        .select_related("area_type")
        .order_by("code")
    )
    published = set(
        StandardVersion.objects.published()
        .filter(standard__area_type_id__in={z.area_type_id for z in zones})
        .values_list("standard__area_type_id", flat=True)
    )
    found: dict[int, list[Zone]] = {u.pk: [] for u in units}
    for zone in zones:
        if zone.area_type_id in published and zone.unit_id is not None:
            found[zone.unit_id].append(zone)
    return found


def round_inputs(
    center: Center, units: Sequence[Unit]
) -> tuple[list[UnitToRate], list[Rater], set[tuple[int, int]], dict[int, int]]:
    """The assignment's inputs from the database: the units with their covering group,
    every active member of a working group, and the latest round's pairs."""
    covering = dict(
        Unit.objects.filter(pk__in=[u.pk for u in units], coverage__isnull=False).values_list(
            "pk", "coverage__group_id"
        )
    )
    to_rate = [UnitToRate(u.pk, group=covering.get(u.pk)) for u in units]
    members = Membership.objects.filter(
        group__center=center, group_kind=Group.Kind.WORKING, user__is_active=True
    ).values_list("user_id", "group_id", "user__unit_id")
    raters = [Rater(user, group=group, unit=unit) for user, group, unit in members]
    last = AcceptanceRound.objects.filter(center=center).order_by("-opened_at", "-pk").first()
    previous = (
        set(Assignment.objects.filter(round=last).values_list("rater_id", "unit_id"))
        if last
        else set()
    )
    return to_rate, raters, previous, {r.id: r.group for r in raters}


def plan_round(*, center: Center, units: Sequence[Unit], min_raters: int, seed: int) -> Plan:
    to_rate, raters, previous, _groups = round_inputs(center, units)
    return assign_raters(to_rate, raters, min_raters=min_raters, previous_pairs=previous, seed=seed)


def new_seed() -> int:
    return secrets.randbelow(1_000_000)


def _check_units(programme: Programme, phase: str, units: Sequence[Unit]) -> None:
    if not units:
        raise Invalid(_("Choose at least one unit."))
    progress = {
        p.unit_id: p
        for p in PhaseProgress.objects.filter(programme=programme, phase=phase, unit__in=units)
    }
    label = Phase(phase).label
    wrong = [
        u.name
        for u in units
        if u.pk not in progress
        or progress[u.pk].status not in (ProgressStatus.IN_PROGRESS, ProgressStatus.AWAITING)
    ]
    if wrong:
        raise Conflict(
            _("Not in the %(phase)s phase (in progress or awaiting acceptance): %(units)s.")
            % {"phase": label, "units": "、".join(wrong)}
        )
    busy = list(
        RoundUnit.objects.filter(
            round__programme=programme,
            round__phase=phase,
            round__status=AcceptanceRound.Status.OPEN,
            unit__in=units,
        ).values_list("unit__name", flat=True)
    )
    if busy:
        raise Conflict(
            _("Already in an open round of this phase: %(units)s.") % {"units": "、".join(busy)}
        )
    zones = rateable_zones(units)
    bare = [u.name for u in units if not zones[u.pk]]
    if bare:
        raise Conflict(
            _("No zone with a published standard to rate: %(units)s.") % {"units": "、".join(bare)}
        )


@transaction.atomic
def open_round(
    *,
    programme: Programme,
    phase: str,
    units: Sequence[Unit],
    by: User,
    min_raters: int = 2,
    seed: int | None = None,
    name: str = "",
    due_on: datetime.date | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> AcceptanceRound:
    """Opens a round: assigns raters (or raises InfeasibleRoundError saying which rule cannot
    hold), puts each unit's phase up for acceptance and tells the raters."""
    if submission_key:
        first = existing_submission(user=by, scope=OPEN_SCOPE, key=submission_key)
        if first is not None:
            return AcceptanceRound.objects.get(pk=first)
    if phase not in PHASES:
        raise Invalid(_("Choose a phase."))
    units = sorted(set(units), key=lambda u: u.code)
    _check_units(programme, phase, units)
    seed = new_seed() if seed is None else seed
    center = programme.center
    to_rate, raters, previous, group_of = round_inputs(center, units)
    plan = assign_raters(to_rate, raters, min_raters=min_raters, previous_pairs=previous, seed=seed)
    if not plan.ok:
        raise InfeasibleRoundError(plan, units=units)
    number = (
        AcceptanceRound.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    round_ = AcceptanceRound.objects.create(
        center=center,
        programme=programme,
        number=number,
        name=name.strip()
        or str(_("Round %(n)s · %(phase)s") % {"n": number, "phase": Phase(phase).label}),
        phase=phase,
        min_raters=min_raters,
        seed=seed,
        due_on=due_on,
        opened_by=by,
        pass_mark=InspectionSettings.for_center(center).pass_mark,
        plan={
            "pool": len(plan.pool),
            "min_load": plan.min_load,
            "max_load": plan.max_load,
            "reused": len(plan.reused),
            "directions": [list(d) for d in plan.directions],
        },
    )
    if submission_key:
        claimed = claim_submission(
            center=center, user=by, scope=OPEN_SCOPE, key=submission_key, object_id=str(round_.pk)
        )
        if claimed != str(round_.pk):  # a concurrent twin won: keep only its round
            first_round = AcceptanceRound.objects.get(pk=claimed)
            transaction.set_rollback(True)
            return first_round
    RoundUnit.objects.bulk_create(RoundUnit(center=center, round=round_, unit=u) for u in units)
    reused = set(plan.reused)
    Assignment.objects.bulk_create(
        Assignment(
            center=center,
            round=round_,
            unit_id=unit_id,
            rater_id=rater_id,
            rater_group_id=group_of[rater_id],
            reused=(rater_id, unit_id) in reused,
        )
        for rater_id, unit_id in plan.pairs
    )
    for progress in PhaseProgress.objects.filter(
        programme=programme, phase=phase, unit__in=units, status=ProgressStatus.IN_PROGRESS
    ).select_related("unit"):
        move_phase(
            progress,
            ProgressStatus.AWAITING,
            by=by,
            note=str(_("Put up for acceptance in %(round)s.") % {"round": round_.name}),
        )
    record_event(
        request,
        action="programme.round_opened",
        obj=round_,
        actor=by,
        center=center,
        detail={
            "phase": phase,
            "units": [u.code for u in units],
            "min_raters": min_raters,
            "seed": seed,
            "assignments": len(plan.pairs),
            "reused": len(plan.reused),
        },
    )
    notify(
        center=center,
        users=User.objects.filter(pk__in={r for r, _u in plan.pairs}),
        kind="programme.round_opened",
        message=gettext_noop("You are a rater in %(round)s: rate the units assigned to you."),
        params={"round": round_.name},
        url=reverse("programme:round-detail", args=[round_.pk]),
    )
    return round_


def check_sheet(assignment: Assignment, *, zone: Zone, by: User) -> None:
    """Only the assigned rater scores, while the round is open, the zones of their unit."""
    if assignment.rater_id != by.pk:
        raise NotAllowed(_("Only the assigned rater scores this unit."))
    if not assignment.round.is_open:
        raise Conflict(_("This round is closed."), code="round_closed")
    if zone.unit_id != assignment.unit_id or not zone.is_active:
        raise Invalid(_("This zone is not part of the unit you rate."))


@transaction.atomic
def start_sheet(
    *,
    assignment: Assignment,
    zone: Zone,
    by: User,
    request: HttpRequest | None = None,
) -> Inspection:
    """The rater's acceptance checklist of one zone of the unit (started once; starting again
    returns the same inspection)."""
    check_sheet(assignment, zone=zone, by=by)
    existing = (
        RatingSheet.objects.filter(assignment=assignment, zone=zone)
        .select_related("inspection")
        .first()
    )
    if existing is not None:
        return existing.inspection
    try:
        inspection = start_inspection(
            zone=zone,
            kind=Inspection.Kind.ACCEPTANCE,
            inspector=by,
            resume=False,
            pillars=PHASE_PILLARS[assignment.round.phase],
            request=request,
        )
    except Refusal as exc:
        raise Conflict(exc.message) from exc
    try:
        with transaction.atomic():
            RatingSheet.objects.create(
                center_id=assignment.center_id,
                assignment=assignment,
                zone=zone,
                inspection=inspection,
            )
    except IntegrityError:  # a double tap got there first: keep only its draft
        first = RatingSheet.objects.get(assignment=assignment, zone=zone).inspection
        transaction.set_rollback(True)  # (queries are refused after this, so fetch first)
        return first
    return inspection


@dataclass(frozen=True)
class SheetState:
    zones: int  # zones to rate
    started: int
    submitted: int

    @property
    def is_complete(self) -> bool:
        return self.zones > 0 and self.submitted >= self.zones


def sheet_states(assignments: Sequence[Assignment]) -> dict[int, SheetState]:
    """How far each rater is (no scores). Three queries."""
    zones = rateable_zones(Unit.objects.filter(pk__in={a.unit_id for a in assignments}))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for assignment_id, status in RatingSheet.objects.filter(
        assignment__in=[a.pk for a in assignments]
    ).values_list("assignment_id", "inspection__status"):
        counts[assignment_id][0] += 1
        counts[assignment_id][1] += status == Inspection.Status.SUBMITTED
    return {
        a.pk: SheetState(len(zones.get(a.unit_id, [])), counts[a.pk][0], counts[a.pk][1])
        for a in assignments
    }


@dataclass(frozen=True)
class RoundProgress:
    """Who rates what in a round and how far each rater is (no scores)."""

    assignments: list[tuple[Assignment, SheetState]]
    entries: list[tuple[RoundUnit, int]]  # each unit with its raters done
    pending: int  # raters not done


def round_progress(round_: AcceptanceRound) -> RoundProgress:
    assignments = list(
        round_.assignments.select_related("unit", "rater", "rater_group").order_by(
            "unit__code", "rater__username"
        )
    )
    states = sheet_states(assignments)
    entries = list(round_.entries.select_related("unit").order_by("rank", "unit__code"))
    done = {e.unit_id: 0 for e in entries}
    for a in assignments:
        done[a.unit_id] = done.get(a.unit_id, 0) + states[a.pk].is_complete
    return RoundProgress(
        assignments=[(a, states[a.pk]) for a in assignments],
        entries=[(e, done.get(e.unit_id, 0)) for e in entries],
        pending=sum(not states[a.pk].is_complete for a in assignments),
    )


def rater_scores(assignments: Sequence[Assignment]) -> dict[int, Decimal | None]:
    """Each assignment's score: its submitted sheets, points earned over points possible,
    only when every zone of the unit that can be rated has a submitted sheet. Four queries."""
    states = sheet_states(assignments)
    parts: dict[int, list[tuple[Decimal | None, Decimal | None]]] = defaultdict(list)
    for assignment_id, earned, possible in RatingSheet.objects.filter(
        assignment__in=[a.pk for a in assignments],
        inspection__status=Inspection.Status.SUBMITTED,
    ).values_list("assignment_id", "inspection__points_earned", "inspection__points_possible"):
        parts[assignment_id].append((earned, possible))
    return {
        a.pk: results.weighted_score(parts[a.pk]) if states[a.pk].is_complete else None
        for a in assignments
    }


def incomplete_sheets(round_: AcceptanceRound) -> int:
    """How many of the round's raters have not submitted every zone of their unit."""
    states = sheet_states(list(round_.assignments.all()))
    return sum(not state.is_complete for state in states.values())


def check_close(round_: AcceptanceRound, *, version: int, confirm: bool) -> None:
    """Closing an open round: the version the closer saw (409 `stale`), and a confirmation
    when ratings are missing (409 `incomplete_sheets`: they will not count). Closing a closed
    round changes nothing and is no refusal."""
    if not round_.is_open:
        return
    if version != round_.version:
        raise ConflictError
    missing = incomplete_sheets(round_)
    if missing and not confirm:
        raise Conflict(
            ngettext(
                "%(n)d rating is not complete. Tick the box to close anyway; it will not count.",
                "%(n)d ratings are not complete. Tick the box to close anyway; "
                "they will not count.",
                missing,
            )
            % {"n": missing},
            code="incomplete_sheets",
        )


@transaction.atomic
def close_round(
    *,
    round_: AcceptanceRound,
    by: User,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AcceptanceRound:
    """Closes the round: each unit's score (trimmed mean), spread, agreement and rank, the
    outlier flags, the round's reliability; the red flag to the top unit and a yellow card
    to the bottom one if it was not accepted (a last place that passed gets none); then each unit's exit gate is checked. Sheets not submitted by then
    do not count."""
    round_.refresh_from_db()
    if not round_.is_open:
        return round_  # closing twice changes nothing
    today = timezone.localdate()
    scores = rater_scores(list(round_.assignments.all()))
    assignments = list(round_.assignments.select_related("unit"))
    by_unit: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for assignment in assignments:
        score = scores[assignment.pk]
        assignment.score = score
        if score is not None:
            by_unit[assignment.unit_id][assignment.rater_id] = score
    entries = list(round_.entries.select_related("unit"))
    pass_mark = round_.pass_mark or InspectionSettings.for_center(round_.center_id).pass_mark
    figures = {e.unit_id: results.unit_figures(by_unit.get(e.unit_id, {})) for e in entries}
    ranked = competition_ranks(
        {unit: f.score for unit, f in figures.items() if f.score is not None}
    )
    for entry in entries:
        f = figures[entry.unit_id]
        entry.score, entry.ratings, entry.trimmed = f.score, f.ratings, f.trimmed
        entry.spread, entry.agreement = f.spread, f.agreement
        entry.rank = ranked.get(entry.unit_id)
        entry.accepted = (
            f.score is not None and f.ratings >= round_.min_raters and f.score >= pass_mark
        )
    RoundUnit.objects.bulk_update(
        entries, ["score", "ratings", "trimmed", "spread", "agreement", "rank", "accepted"]
    )
    for assignment in assignments:
        assignment.is_outlier = assignment.rater_id in figures[assignment.unit_id].outliers
    Assignment.objects.bulk_update(assignments, ["score", "is_outlier"])
    round_.status = AcceptanceRound.Status.CLOSED
    round_.closed_at = timezone.now()
    round_.closed_by = by
    round_.reliability = results.reliability({u: list(s.values()) for u, s in by_unit.items()})
    save_versioned(
        round_,
        expected_version=round_.version if expected_version is None else expected_version,
        fields=["status", "closed_at", "closed_by", "reliability"],
    )
    cards = issue_ranking_cards(
        center_id=round_.center_id,
        scored=[(e.unit, e.score, e.rank) for e in entries if e.rank is not None],
        failing={e.unit_id for e in entries if not e.accepted},
        top=Card.Cause.ROUND_TOP,
        bottom=Card.Cause.ROUND_BOTTOM,
        by=by,
        on=today,
        key=f"round:{round_.pk}",
        params={"round": round_.name},
        round_=round_,
    )
    accepted_units = _after_round(round_, entries, by=by, on=today)
    record_event(
        request,
        action="programme.round_closed",
        obj=round_,
        actor=by,
        detail={
            "results": {
                e.unit.code: {"score": str(e.score), "rank": e.rank, "accepted": e.accepted}
                for e in entries
            },
            "reliability": str(round_.reliability),
            "cards": len(cards),
            "phases_accepted": accepted_units,
        },
    )
    notify(
        center=round_.center,
        users=User.objects.filter(pk__in={a.rater_id for a in assignments}),
        kind="programme.round_closed",
        message=gettext_noop("%(round)s is closed: the results are out."),
        params={"round": round_.name},
        url=reverse("programme:round-detail", args=[round_.pk]),
    )
    return round_


def _after_round(
    round_: AcceptanceRound, entries: list[RoundUnit], *, by: User, on: datetime.date
) -> list[str]:
    """Each unit's phase: accepted if its whole gate now passes; back in progress if the
    round did not accept it; else it keeps waiting (another condition is not met)."""
    accepted: list[str] = []
    result_of = {e.unit_id: e for e in entries}
    gate = ExitGate.for_center(round_.center_id)[round_.phase]
    for progress in PhaseProgress.objects.filter(
        programme_id=round_.programme_id,
        phase=round_.phase,
        unit_id__in=result_of,
        status__in=[ProgressStatus.IN_PROGRESS, ProgressStatus.AWAITING],
    ).select_related("unit"):
        evaluation = gates.evaluate_gate(progress, gate=gate, pass_mark=round_.pass_mark, on=on)
        if evaluation.passes:
            accept_phase(progress, by=by, gate=evaluation, note=round_.name, on=on)
            accepted.append(progress.unit.code)
        elif (
            not result_of[progress.unit_id].accepted and progress.status == ProgressStatus.AWAITING
        ):
            move_phase(
                progress,
                ProgressStatus.IN_PROGRESS,
                by=by,
                on=on,
                note=str(_("Not accepted in %(round)s.") % {"round": round_.name}),
            )
    return accepted
