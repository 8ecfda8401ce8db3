"""Monthly rankings (评比), cards (流动红旗, 黄牌, 红牌) and the interview list (约谈)."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.core.months import month_start, previous_month, this_month
from onsite.core.refusals import Conflict, Invalid
from onsite.inspections.models import Finding, InspectionSettings
from onsite.notifications.services import notify
from onsite.org.models import Unit
from onsite.programme.models import (
    AcceptanceRound,
    Card,
    Interview,
    MonthlyRanking,
    MonthlyResult,
    WaveUnit,
)
from onsite.programme.queries import MonthRow, month_scores
from onsite.programme.services.common import (
    EARLIEST,
    MIN_UNITS_FOR_YELLOW,
    MONTH_MIN_SCORED_SHARE,
    REPEAT_CARD_DAYS,
)
from onsite.rectification.models import Rectification

# --- monthly ranking, cards, interviews ----------------------------------------------------


def hand_on_flag(center_id: int, on: datetime.date) -> None:
    Card.objects.filter(
        center_id=center_id, kind=Card.Kind.RED_FLAG, handed_on_at__isnull=True
    ).update(handed_on_at=on)


def ranking_cards(
    *,
    center_id: int,
    scored: list[tuple[Unit, Decimal | None, int | None]],
    failing: Collection[int],
    top: str,
    bottom: str,
    by_id: int | None,
    on: datetime.date,
    key: str,
    params: dict[str, Any],
    round_: AcceptanceRound | None = None,
    month: datetime.date | None = None,
) -> list[Card]:
    """The cards a ranking earns, unsaved: the rotating red flag to every unit ranked first, a
    yellow card to every unit ranked last when at least MIN_UNITS_FOR_YELLOW units were
    ranked and that unit failed (its id is in `failing`: not accepted in a round, under the
    pass mark in a month); a last place that passed earns nothing (the data generator saves
    them in bulk)."""
    if not scored:
        return []
    cards: list[Card] = []
    last = max(rank or 0 for _, _, rank in scored)
    for unit, score, rank in scored:
        common = {
            "center_id": center_id,
            "unit": unit,
            "issued_by_id": by_id,
            "issued_on": on,
            "round": round_,
            "month": month,
            "params": {**params, "score": str(score), "count": len(scored)},
        }
        if rank == 1:
            cards.append(
                Card(
                    kind=Card.Kind.RED_FLAG,
                    cause=top,
                    source_key=f"{key}:top:{unit.pk}",
                    **common,
                )
            )
        elif rank == last and len(scored) >= MIN_UNITS_FOR_YELLOW and unit.pk in failing:
            cards.append(
                Card(
                    kind=Card.Kind.YELLOW,
                    cause=bottom,
                    source_key=f"{key}:bottom:{unit.pk}",
                    **common,
                )
            )
    return cards


def issue_ranking_cards(
    *,
    center_id: int,
    scored: list[tuple[Unit, Decimal | None, int | None]],
    failing: Collection[int],
    top: str,
    bottom: str,
    by: User | None,
    on: datetime.date,
    key: str,
    params: dict[str, Any],
    round_: AcceptanceRound | None = None,
    month: datetime.date | None = None,
) -> list[Card]:
    """The ranking's cards (`ranking_cards`), the red flag taken from its holders first."""
    if not scored:
        return []
    cards = ranking_cards(
        center_id=center_id,
        scored=scored,
        failing=failing,
        top=top,
        bottom=bottom,
        by_id=by.pk if by is not None else None,
        on=on,
        key=key,
        params=params,
        round_=round_,
        month=month,
    )
    hand_on_flag(center_id, on)
    for card in cards:
        card.save()
    return cards


def check_month(month: datetime.date) -> None:
    """A month can be published once it has ended (and not before the programme's dates): a
    month published on its 4th day ranked and carded units on four days of scores."""
    if month_start(month) < EARLIEST:
        raise Invalid(_("No unit has a score in that month."))
    if month_start(month) >= this_month():
        raise Conflict(_("A month can be published once it has ended."), code="month_not_ended")


def month_failing(center_id: int, rows: Iterable[MonthRow]) -> set[int]:
    """The units whose month fails: a score under the center's pass mark. Only they can get
    the month's yellow card."""
    pass_mark = InspectionSettings.for_center(center_id).pass_mark
    return {row.unit.pk for row in rows if row.score < pass_mark}


def month_earns_cards(center_id: int, scored: int) -> bool:
    """Whether enough units have a score for the month's ranking to earn cards and interviews:
    at least MIN_UNITS_FOR_YELLOW and MONTH_MIN_SCORED_SHARE of the units taking part in the
    programme (in a wave). One query."""
    taking_part = WaveUnit.objects.filter(center_id=center_id).values("unit_id").distinct().count()
    return scored >= max(MIN_UNITS_FOR_YELLOW, math.ceil(taking_part * MONTH_MIN_SCORED_SHARE))


@transaction.atomic
def publish_month(
    *,
    center: Center,
    month: datetime.date,
    by: User,
    request: HttpRequest | None = None,
) -> MonthlyRanking:
    """Freezes the month's ranking (see `queries.month_scores`) once the month has ended. When
    enough units were scored (`month_earns_cards`) it hands the red flag to the top unit, gives
    the bottom one a yellow card if it failed, and puts a unit that was also last in the
    previous published month on the interview list. Publishing twice returns the first."""
    month = month_start(month)
    check_month(month)
    existing = MonthlyRanking.objects.filter(center=center, month=month).first()
    if existing is not None:
        return existing
    rows = month_scores(center=center, month=month)
    if not rows:
        raise Conflict(_("No unit has a score in that month."), code="no_scores")
    ranking = MonthlyRanking.objects.create(center=center, month=month, published_by=by)
    MonthlyResult.objects.bulk_create(
        MonthlyResult(
            center=center,
            ranking=ranking,
            unit=row.unit,
            score=row.score,
            rank=row.rank,
            sources=row.sources,
        )
        for row in rows
    )
    label = f"{month:%Y-%m}"
    carded = month_earns_cards(center.pk, len(rows))
    interviews = _month_cards(center, month, rows, by=by) if carded else []
    record_event(
        request,
        action="programme.month_published",
        obj=ranking,
        actor=by,
        center=center,
        detail={"month": label, "units": len(rows), "cards": carded, "interviews": interviews},
    )
    return ranking


def _month_cards(
    center: Center, month: datetime.date, rows: list[MonthRow], *, by: User
) -> list[str]:
    """The published month's cards, and the interview list: a unit last this month and in the
    previous published month. Returns the codes of the units listed."""
    label = f"{month:%Y-%m}"
    issue_ranking_cards(
        center_id=center.pk,
        scored=[(row.unit, row.score, row.rank) for row in rows],
        failing=month_failing(center.pk, rows),
        top=Card.Cause.MONTH_TOP,
        bottom=Card.Cause.MONTH_BOTTOM,
        by=by,
        on=timezone.localdate(),
        key=f"month:{label}",
        params={"month": label},
        month=month,
    )
    last_rank = max(row.rank for row in rows)
    bottom = [row.unit for row in rows if row.rank == last_rank and len(rows) > 1]
    before = MonthlyRanking.objects.filter(center=center, month=previous_month(month)).first()
    interviews: list[str] = []
    if before is not None and bottom:
        before_last = before.rows.aggregate(n=Max("rank"))["n"]
        again = set(
            before.rows.filter(rank=before_last, unit__in=bottom).values_list("unit_id", flat=True)
        )
        for unit in bottom:
            if unit.pk in again:
                Interview.objects.get_or_create(
                    center=center,
                    unit=unit,
                    month=month,
                    defaults={"previous_month": before.month},
                )
                interviews.append(unit.code)
    return interviews


def check_card(*, kind: str, reason: str) -> None:
    if len(reason.strip()) < 4:
        raise Invalid(_("Give the reason for the card."))
    if kind not in Card.Kind.values:
        raise Invalid(_("Choose the kind of card."))


@transaction.atomic
def issue_card(
    *,
    center: Center,
    unit: Unit,
    kind: str,
    reason: str,
    by: User,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Card:
    if submission_key:
        first = existing_submission(user=by, scope="programme.card", key=submission_key)
        if first is not None:
            return Card.objects.get(pk=first)
    reason = reason.strip()
    check_card(kind=kind, reason=reason)
    today = timezone.localdate()
    if kind == Card.Kind.RED_FLAG:
        hand_on_flag(center.pk, today)
    card = Card.objects.create(
        center=center, unit=unit, kind=kind, cause=Card.Cause.MANUAL, reason=reason, issued_by=by
    )
    if submission_key:
        claimed = claim_submission(
            center=center,
            user=by,
            scope="programme.card",
            key=submission_key,
            object_id=str(card.pk),
        )
        if claimed != str(card.pk):  # a concurrent twin won: keep only its card
            first_card = Card.objects.get(pk=claimed)
            transaction.set_rollback(True)
            return first_card
    record_event(
        request,
        action="programme.card_issued",
        obj=card,
        actor=by,
        center=center,
        detail={"unit": unit.code, "kind": kind, "reason": reason},
    )
    _tell_unit(card)
    return card


def _tell_unit(card: Card) -> None:
    notify(
        center=card.center,
        users=User.objects.filter(unit_id=card.unit_id, is_active=True),
        kind="programme.card",
        message=gettext_noop("Your unit received a card: %(card)s."),
        params={"card": card.get_kind_display()},
        url=reverse("programme:card-list") + f"?unit={card.unit.code}",
    )


def check_revoke(*, reason: str) -> None:
    if len(reason.strip()) < 4:
        raise Invalid(_("Give the reason for revoking the card."))


@transaction.atomic
def revoke_card(*, card: Card, by: User, reason: str, request: HttpRequest | None = None) -> Card:
    reason = reason.strip()
    check_revoke(reason=reason)
    if card.is_revoked:
        return card
    card.revoked_at = timezone.now()
    card.revoked_by = by
    card.revoke_reason = reason
    card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_event(
        request,
        action="programme.card_revoked",
        obj=card,
        actor=by,
        detail={"unit": card.unit.code, "reason": reason},
    )
    return card


@transaction.atomic
def issue_finding_cards(
    *,
    center: Center,
    by: User | None,
    on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> list[Card]:
    """For each unit, at most one card per month and cause: a yellow card when it has
    rectifications past their due date, a red card when it had findings repeated within the
    last REPEAT_CARD_DAYS days. Keyed by unit, cause and month, so running this again in the
    same month adds only units newly concerned."""
    today = on or timezone.localdate()
    month = f"{today:%Y-%m}"
    have = set(
        Card.objects.filter(center=center)
        .filter(cause__in=[Card.Cause.OVERDUE, Card.Cause.REPEAT])
        .values_list("source_key", flat=True)
    )
    overdue: dict[int, list[Rectification]] = defaultdict(list)
    for rect in (
        Rectification.objects.filter(center=center, zone__unit__isnull=False)
        .overdue(today)
        .select_related("zone__unit", "finding")
        .order_by("due_on", "pk")
    ):
        overdue[rect.zone.unit_id].append(rect)  # type: ignore[index]
    repeated: dict[int, list[Finding]] = defaultdict(list)
    for finding in (
        Finding.objects.filter(
            center=center,
            is_repeat=True,
            zone__unit__isnull=False,
            found_on__gte=today - datetime.timedelta(days=REPEAT_CARD_DAYS),
        )
        .select_related("zone__unit")
        .order_by("-found_on", "-pk")
    ):
        repeated[finding.zone.unit_id].append(finding)  # type: ignore[index]
    new: list[Card] = []
    for unit_id, rects in overdue.items():
        key = f"overdue:{unit_id}:{month}"
        if key not in have:
            first = rects[0]
            new.append(
                Card(
                    center=center,
                    unit=first.zone.unit,
                    kind=Card.Kind.YELLOW,
                    cause=Card.Cause.OVERDUE,
                    params={
                        "count": len(rects),
                        "items": [rect.pk for rect in rects],
                        "finding": first.finding.text[:60],
                        "zone": first.zone.code,
                        "due": first.due_on.isoformat(),
                    },
                    source_key=key,
                    issued_by=by,
                    issued_on=today,
                )
            )
    for unit_id, findings in repeated.items():
        key = f"repeat:{unit_id}:{month}"
        if key not in have:
            latest = findings[0]
            new.append(
                Card(
                    center=center,
                    unit=latest.zone.unit,
                    kind=Card.Kind.RED,
                    cause=Card.Cause.REPEAT,
                    params={
                        "count": len(findings),
                        "days": REPEAT_CARD_DAYS,
                        "finding": latest.text[:60],
                        "zone": latest.zone.code,
                        "found": latest.found_on.isoformat(),
                    },
                    source_key=key,
                    issued_by=by,
                    issued_on=today,
                )
            )
    Card.objects.bulk_create(new, ignore_conflicts=True)
    record_event(
        request,
        action="programme.finding_cards",
        actor=by,
        center=center,
        detail={"issued": len(new), "on": today.isoformat()},
    )
    return new


def lift_overdue_cards(
    *, rectification: Rectification, request: HttpRequest | None = None, **_kwargs: Any
) -> list[Card]:
    """On closing a rectification (the `rectification_closed` signal): each overdue yellow
    card of its unit still in force whose items are now all closed is lifted, by nobody, with
    the facts kept in `params["lifted"]` and an audit row. A card from before the items were
    recorded on it is lifted once its unit has no overdue item left."""
    unit_id = rectification.zone.unit_id
    if unit_id is None:
        return []
    cards = list(
        Card.objects.in_force()
        .filter(center_id=rectification.center_id, unit_id=unit_id, cause=Card.Cause.OVERDUE)
        .select_for_update()
    )
    items = {pk for card in cards for pk in card.params.get("items", [])}
    pending = set(
        Rectification.objects.filter(pk__in=items)
        .exclude(status=Rectification.Status.CLOSED)
        .values_list("pk", flat=True)
    )
    overdue_left = (
        Rectification.objects.filter(center_id=rectification.center_id, zone__unit_id=unit_id)
        .overdue()
        .exists()
    )
    now = timezone.now()
    lifted = []
    for card in cards:
        mine = set(card.params.get("items", []))
        if (mine & pending) if mine else overdue_left:
            continue
        card.revoked_at = now
        card.params = {**card.params, "lifted": {"items": len(mine), "on": f"{now:%Y-%m-%d}"}}
        card.revoke_reason = card.lift_reason
        card.save(update_fields=["revoked_at", "params", "revoke_reason"])
        record_event(
            request,
            action="programme.card_lifted",
            obj=card,
            actor=None,
            center=card.center,
            detail={"unit": card.unit.code, "items": sorted(mine)},
        )
        lifted.append(card)
    return lifted


def check_interview(*, held_on: datetime.date, note: str) -> None:
    if not note.strip():
        raise Invalid(_("Write down what the interview agreed."))
    if held_on > timezone.localdate():
        raise Invalid(_("The interview cannot be held in the future."))


@transaction.atomic
def hold_interview(
    *,
    interview: Interview,
    by: User,
    held_on: datetime.date,
    note: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Interview:
    note = note.strip()
    check_interview(held_on=held_on, note=note)
    interview.status = Interview.Status.HELD
    interview.held_on = held_on
    interview.held_by = by
    interview.note = note[:4000]
    save_versioned(
        interview,
        expected_version=expected_version,
        fields=["status", "held_on", "held_by", "note"],
    )
    record_event(
        request,
        action="programme.interview_held",
        obj=interview,
        actor=by,
        detail={"unit": interview.unit.code, "month": f"{interview.month:%Y-%m}"},
    )
    return interview
