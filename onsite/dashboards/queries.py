"""Read-side figures of visual management for the pages, the API and the reports.

Every function runs a fixed number of queries whatever the length of history or the number
of units: monthly figures come from the daily roll-ups (`UnitDay`, `CheckDay`), "now" figures
(open rectifications, pending filings, the latest score of each zone) from indexed queries
over current rows."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onsite.core.models import Center
from onsite.core.months import add_months, month_end, this_month
from onsite.dashboards.models import (
    COMPONENT_KEYS,
    COMPONENTS,
    GOOD_FROM,
    CheckDay,
    CitizenRating,
    IndexWeights,
    Level,
    UnitDay,
)
from onsite.engagement.models import Suggestion, SuggestionTransition
from onsite.engagement.queries import acknowledgement_people
from onsite.inspections.models import Answer, Finding, Inspection, InspectionSettings
from onsite.org.models import Floor, Unit, Zone
from onsite.programme.access import current_programme
from onsite.programme.models import PHASES, Card, Phase
from onsite.programme.queries import month_ranking, progress_matrix
from onsite.rectification.models import Rectification
from onsite.standards.models import ItemFiling
from onsite.surveys.audience import audience_users
from onsite.surveys.models import Survey

TREND_MONTHS = 12
HISTORY_MONTHS = 6
PARETO_SIZE = 10
SUM_FIELDS = [
    "inspections",
    "score_sum",
    "audits",
    "audit_sum",
    "supervisions",
    "supervision_sum",
    "acceptances",
    "acceptance_sum",
    "acceptance_failures",
    "passed",
    "findings",
    "repeat_findings",
    "due",
    "on_time",
    "filings",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
]
ONE_PLACE = Decimal("0.1")


def one_place(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP))


# --- months ------------------------------------------------------------------------------


def parse_month(value: str | None) -> datetime.date:
    """ "2025-11" → 2025-11-01. Anything else, or a month to come, → this month."""
    current = this_month()
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        first = datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return current
    if first > current or first.year < 2000:
        return current
    return first


def as_of(first: datetime.date) -> datetime.date:
    """The last day a month's "latest" figures look at: its end, or today for this month."""
    return min(month_end(first), timezone.localdate())


# --- totals from the roll-ups ------------------------------------------------------------


@dataclass
class Totals:
    """A sum of daily roll-up rows, with the rates the pages show."""

    inspections: int = 0
    score_sum: Decimal = Decimal(0)
    audits: int = 0
    audit_sum: Decimal = Decimal(0)
    supervisions: int = 0
    supervision_sum: Decimal = Decimal(0)
    acceptances: int = 0
    acceptance_sum: Decimal = Decimal(0)
    acceptance_failures: int = 0
    passed: int = 0
    findings: int = 0
    repeat_findings: int = 0
    due: int = 0
    on_time: int = 0
    filings: int = 0
    r1: int = 0
    r2: int = 0
    r3: int = 0
    r4: int = 0
    r5: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Totals:
        totals = cls()
        for name in SUM_FIELDS:
            value = row.get(name)
            if value is not None:
                setattr(totals, name, value)
        return totals

    @property
    def avg_score(self) -> float | None:
        return one_place(self.score_sum / self.inspections) if self.inspections else None

    @property
    def audit_score(self) -> float | None:
        """Supervision and acceptance together (the API's `audit_score`); pages show each."""
        return one_place(self.audit_sum / self.audits) if self.audits else None

    @property
    def supervision_score(self) -> float | None:
        return one_place(self.supervision_sum / self.supervisions) if self.supervisions else None

    @property
    def acceptance_score(self) -> float | None:
        return one_place(self.acceptance_sum / self.acceptances) if self.acceptances else None

    @property
    def self_checks(self) -> int:
        return self.inspections - self.supervisions - self.acceptances

    @property
    def failures(self) -> int:
        """Failed checks: findings (self-checks, supervision) and acceptance sheets' fails."""
        return self.findings + self.acceptance_failures

    @property
    def pass_rate(self) -> float | None:
        return one_place(100 * self.passed / self.inspections) if self.inspections else None

    @property
    def on_time_rate(self) -> float | None:
        """整改及时率: handed in by the due date ÷ due, where due counts the items due in the
        period (past days) and those still open past their due date from before it
        (`carried_overdue`), so a unit with only overdue items has 0 %, not none."""
        return one_place(100 * self.on_time / self.due) if self.due else None

    @property
    def repeat_free(self) -> float | None:
        """Share of findings that are not repeats (100 when inspected without findings)."""
        if self.findings:
            return one_place(100 * (self.findings - self.repeat_findings) / self.findings)
        return 100.0 if self.inspections else None

    @property
    def ratings(self) -> int:
        return self.r1 + self.r2 + self.r3 + self.r4 + self.r5

    @property
    def rating_mean(self) -> float | None:
        if not self.ratings:
            return None
        total = self.r1 + 2 * self.r2 + 3 * self.r3 + 4 * self.r4 + 5 * self.r5
        return float(
            Decimal(total / self.ratings).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        )

    @property
    def good_ratings(self) -> int:
        return sum(getattr(self, f"r{level}") for level in range(GOOD_FROM, 6))

    @property
    def bad_ratings(self) -> int:
        return self.ratings - self.good_ratings

    @property
    def good_rate(self) -> float | None:
        return one_place(100 * self.good_ratings / self.ratings) if self.ratings else None

    @property
    def rating_index(self) -> float | None:
        """The mean rating on 0–100 (1 → 0, 5 → 100)."""
        mean = self.rating_mean
        return one_place((mean - 1) * 25) if mean is not None else None

    def by_level(self) -> list[tuple[int, str, int]]:
        return [
            (level.value, str(level.label), getattr(self, f"r{level.value}")) for level in Level
        ]


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in SUM_FIELDS}


def _still_open(first: datetime.date) -> Q:
    """Rectifications due before the month and not handed in by its last day (today for this
    month; a returned item is open again)."""
    until = as_of(first)
    still = Q(submitted_at__isnull=True) | Q(submitted_at__date__gt=until)
    if until == timezone.localdate():
        still |= Q(status=Rectification.Status.OPEN)
    return Q(due_on__lt=first) & still


def carried_overdue(center: Center, first: datetime.date) -> dict[int | None, int]:
    """Per unit, the items of earlier months still open past their due date in the month:
    they count as due (and late) in it too. One query."""
    return {
        row["zone__unit_id"]: row["n"]
        for row in Rectification.objects.filter(_still_open(first), center=center)
        .order_by()
        .values("zone__unit_id")
        .annotate(n=Count("pk"))
    }


def month_totals_by_unit(center: Center, first: datetime.date) -> dict[int | None, Totals]:
    """Two queries."""
    rows = (
        UnitDay.objects.filter(center=center, day__gte=first, day__lte=month_end(first))
        .order_by()
        .values("unit_id")
        .annotate(**_sums())
    )
    totals: dict[int | None, Totals] = {row["unit_id"]: Totals.from_row(row) for row in rows}
    for unit_id, carried in carried_overdue(center, first).items():
        totals.setdefault(unit_id, Totals()).due += carried
    return totals


def monthly_series(
    center: Center, *, last: datetime.date, months: int, unit: Unit | None = None
) -> list[tuple[datetime.date, Totals]]:
    """One Totals per month from `months - 1` months before `last` to `last`, each month's due
    with the items carried in still overdue (`carried_overdue`). Two queries."""
    first = add_months(last, -(months - 1))
    rows = UnitDay.objects.filter(center=center, day__gte=first, day__lte=month_end(last))
    if unit is not None:
        rows = rows.filter(unit=unit)
    found = {
        row["month"]: Totals.from_row(row)
        for row in rows.annotate(month=TruncMonth("day"))
        .order_by()
        .values("month")
        .annotate(**_sums())
    }
    result = []
    for n in range(months):
        month = add_months(first, n)
        totals = found.get(month)
        if totals is None:
            # TruncMonth answers a datetime on some backends; match on year and month.
            totals = next(
                (t for m, t in found.items() if (m.year, m.month) == (month.year, month.month)),
                Totals(),
            )
        result.append((month, totals))
    carried = Rectification.objects.filter(center=center)
    if unit is not None:
        carried = carried.filter(zone__unit=unit)
    counts = carried.aggregate(
        **{f"m{n}": Count("pk", filter=_still_open(month)) for n, (month, _t) in enumerate(result)}
    )
    for n, (_month, totals) in enumerate(result):
        totals.due += counts[f"m{n}"] or 0
    return result


# --- the combined index and ranking ----------------------------------------------------


# Why the month's ranking (the programme's, `month_ranking`) leaves a unit out: it ranks only
# units with a supervision check or a closed acceptance round in the month.
UNRANKED_REASONS = {
    "no_inspection": gettext_lazy("no inspection this month"),
    "no_audit": gettext_lazy(
        "no supervision check this month and no acceptance round closed in it (self-checks "
        "do not rank a unit)"
    ),
}


@dataclass
class ScoreRow:
    unit: Unit
    totals: Totals
    cards: dict[str, int]
    proposals: int
    components: dict[str, float | None] = field(default_factory=dict)
    index: float | None = None
    rank: int | None = None
    score: float | None = None  # the month's score in the programme's ranking

    @property
    def component_list(self) -> list[tuple[str, str, float | None]]:
        return [(key, str(label), self.components.get(key)) for key, label in COMPONENTS]

    @property
    def unranked_because(self) -> str:
        """The key in UNRANKED_REASONS of why this unit is not ranked; "" when it is."""
        if self.rank is not None:
            return ""
        return "no_audit" if self.totals.inspections else "no_inspection"

    @property
    def unranked_reason(self) -> str:
        because = self.unranked_because
        return str(UNRANKED_REASONS[because]) if because else ""

    @property
    def card_list(self) -> list[tuple[str, str, int]]:
        """(kind, label, how many) of the cards issued to the unit in the month."""
        return [
            (kind.value, str(kind.label), self.cards[kind.value])
            for kind in Card.Kind
            if self.cards.get(kind.value)
        ]


@dataclass
class Ranking:
    month: datetime.date
    weights: IndexWeights
    rows: list[ScoreRow]  # ranked, best first
    unranked: list[ScoreRow]  # not ranked this month (`ScoreRow.unranked_reason` says why)
    published: bool = False  # the programme has published (frozen) the month's ranking

    @property
    def all_rows(self) -> list[ScoreRow]:
        """The ranked units, then the others in the units' order."""
        return self.rows + self.unranked

    @property
    def weight_shares(self) -> list[tuple[str, str, int, float]]:
        """(key, label, weight, share of the total in %)."""
        values = self.weights.as_dict()
        total = sum(values.values()) or 1
        return [
            (key, str(label), values[key], one_place(100 * values[key] / total))
            for key, label in COMPONENTS
        ]

    def row_of(self, unit: Unit) -> ScoreRow | None:
        return next((row for row in self.rows + self.unranked if row.unit.pk == unit.pk), None)


def cards_score(cards: dict[str, int]) -> float:
    """100 without cards; a yellow card costs 50, a red card everything."""
    return float(max(0, 100 - 50 * cards.get("yellow", 0) - 100 * cards.get("red", 0)))


def components_of(
    totals: Totals,
    *,
    score: float | None,
    cards: dict[str, int],
    proposals: int,
    most_proposals: int,
) -> dict[str, float | None]:
    """Each part of the index on a 0–100 scale; None where the month measured nothing. The
    audit part is the unit's score in the month's ranking (`score`)."""
    return {
        "audit": score,
        "timeliness": totals.on_time_rate,
        "repeats": totals.repeat_free,
        "ratings": totals.rating_index,
        "proposals": one_place(100 * proposals / most_proposals) if most_proposals else None,
        "cards": cards_score(cards),
    }


def combined_index(components: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """The weighted mean of the parts that have a value. A unit without an independent
    audit (its score in the month's ranking) has no index: the other parts alone do not say
    how its site is kept."""
    if components.get("audit") is None:
        return None
    used = [
        (weights[key], value)
        for key in COMPONENT_KEYS
        if weights.get(key, 0) > 0 and (value := components.get(key)) is not None
    ]
    total = sum(weight for weight, _value in used)
    if not total:
        return None
    return one_place(sum(Decimal(weight) * Decimal(str(value)) for weight, value in used) / total)


def ranking(center: Center, month: datetime.date, *, units: list[Unit] | None = None) -> Ranking:
    """The month's ranking (the programme's: as published, or as it stands) with every unit's
    combined index beside it. Eight queries."""
    first, last = month, month_end(month)
    weights = IndexWeights.for_center(center)
    if units is None:
        units = list(Unit.objects.filter(center=center).order_by("kind", "position", "code"))
    published, month_rows = month_ranking(center=center, month=month)
    places = {row.unit.pk: row for row in month_rows}
    totals = month_totals_by_unit(center, first)
    cards: dict[int, dict[str, int]] = {}
    for card in (
        Card.objects.filter(
            center=center, issued_on__gte=first, issued_on__lte=last, revoked_at__isnull=True
        )
        .order_by()
        .values("unit_id", "kind")
        .annotate(n=Count("pk"))
    ):
        cards.setdefault(card["unit_id"], {})[card["kind"]] = card["n"]
    adopted = {
        row["suggestion__unit_id"]: row["n"]
        for row in SuggestionTransition.objects.filter(
            center=center,
            to_status=Suggestion.Status.ADOPTED,
            at__date__gte=first,
            at__date__lte=last,
            suggestion__unit__isnull=False,
        )
        .order_by()
        .values("suggestion__unit_id")
        .annotate(n=Count("suggestion", distinct=True))
    }
    most = max(adopted.values(), default=0)
    weight_values = weights.as_dict()
    rows = []
    for unit in units:
        place = places.get(unit.pk)
        row = ScoreRow(
            unit=unit,
            totals=totals.get(unit.pk, Totals()),
            cards=cards.get(unit.pk, {}),
            proposals=adopted.get(unit.pk, 0),
            rank=place.rank if place else None,
            score=float(place.score) if place else None,
        )
        row.components = components_of(
            row.totals, score=row.score, cards=row.cards, proposals=row.proposals,
            most_proposals=most,
        )  # fmt: skip
        row.index = combined_index(row.components, weight_values)
        rows.append(row)
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.unit.code))
    return Ranking(
        month=month,
        weights=weights,
        rows=ranked,
        unranked=[row for row in rows if row.rank is None],
        published=published is not None,
    )


# --- the heat map --------------------------------------------------------------------------


BAND_FILL = {"green": "#198754", "yellow": "#ffc107", "red": "#dc3545", "": "#e9ecef"}
BAND_TEXT = {"green": "#ffffff", "yellow": "#212529", "red": "#ffffff", "": "#495057"}
# Words at the end of most units' names that a small tile can do without.
GENERIC_NAME_WORDS = ("窗口", " window", " Window")


@dataclass
class ZoneCell:
    zone: Zone
    score: float | None
    band: str  # green / yellow / red, or "" when never inspected
    inspected_on: datetime.date | None
    kind: str
    open_findings: int

    @property
    def label_size(self) -> int:
        return max(3, min(9, min(self.zone.width, self.zone.height * 2) // 5))

    @property
    def cx(self) -> float:
        return self.zone.width / 2

    @property
    def cy(self) -> float:
        """The code sits a little above the middle, the score below it."""
        return self.zone.height / 2 - (self.label_size * 0.45 if self.zone.height >= 14 else 0)

    @property
    def score_y(self) -> float:
        return self.cy + self.label_size * 1.1

    @property
    def fill(self) -> str:
        return BAND_FILL.get(self.band, BAND_FILL[""])

    @property
    def text_fill(self) -> str:
        return BAND_TEXT.get(self.band, BAND_TEXT[""])

    @property
    def score_text(self) -> str:
        return "—" if self.score is None else f"{self.score:g}"

    @property
    def name_parts(self) -> list[str]:
        """The zone's name in the parts a tile puts on lines of their own: the unit's name and
        the rest ("市场监管窗口" + "前台"), or the name and its area type, or the name whole."""
        name = self.zone.name.strip()
        unit = self.zone.unit.name.strip() if self.zone.unit else ""
        area = self.zone.area_type.name.strip() if self.zone.area_type else ""
        if unit and name.startswith(unit) and name[len(unit) :].strip():
            return [unit, name[len(unit) :].strip()]
        if area and name.endswith(area) and name[: -len(area)].strip():
            return [name[: -len(area)].strip(), area]
        return [name]

    @property
    def short_parts(self) -> list[str]:
        """The same for a small tile: a word every window's name has is left out
        ("市场监管窗口" → "市场监管"); the tile's title keeps the full name."""
        head, *rest = self.name_parts
        for word in GENERIC_NAME_WORDS:
            if head.endswith(word) and head[: -len(word)].strip():
                head = head[: -len(word)].strip()
                break
        return [head, *rest]

    @property
    def label_json(self) -> str:
        """Both forms of the name for the map's script, which fits them on the tile."""
        return json.dumps({"full": self.name_parts, "short": self.short_parts}, ensure_ascii=False)


@dataclass
class HeatMap:
    month: datetime.date
    as_of: datetime.date
    floors: list[Floor]
    floor: Floor | None
    cells: list[ZoneCell]
    green_from: int
    yellow_from: int

    @property
    def counts(self) -> dict[str, int]:
        found = {"green": 0, "yellow": 0, "red": 0, "none": 0}
        for cell in self.cells:
            found[cell.band or "none"] += 1
        return found


def latest_inspections(zones: Any, *, on: datetime.date) -> dict[int, Inspection]:
    """The latest submitted, scored inspection of each zone on or before `on` (two queries)."""
    latest = (
        Inspection.objects.filter(
            # The center too, so the zone's history is read off the (center, zone, status,
            # -inspected_on) index from its newest end.
            center_id=OuterRef("center_id"),
            zone=OuterRef("pk"),
            status=Inspection.Status.SUBMITTED,
            score__isnull=False,
            inspected_on__lte=on,
        )
        .order_by("-inspected_on", "-submitted_at", "-pk")
        .values("pk")[:1]
    )
    ids = {
        zone_id: inspection_id
        for zone_id, inspection_id in zones.annotate(latest=Subquery(latest)).values_list(
            "pk", "latest"
        )
        if inspection_id is not None
    }
    found = Inspection.objects.only("pk", "zone_id", "score", "inspected_on", "kind").in_bulk(
        list(ids.values())
    )
    return {zone_id: found[pk] for zone_id, pk in ids.items() if pk in found}


def open_findings(center: Center, zone_ids: list[int], *, on: datetime.date) -> dict[int, int]:
    """Findings of each zone still not verified at the end of `on` (one query)."""
    if on >= timezone.localdate():
        rows = Rectification.objects.filter(center=center, zone_id__in=zone_ids).pending()
    else:
        rows = Rectification.objects.filter(
            center=center, zone_id__in=zone_ids, created_at__date__lte=on
        ).filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=on))
    return dict(
        rows.order_by().values("zone_id").annotate(n=Count("pk")).values_list("zone_id", "n")
    )


def heat_map(center: Center, *, month: datetime.date, level: int | None = None) -> HeatMap:
    """The floor plan with each zone's latest score on `month`'s last day. Five queries."""
    day = as_of(month)
    floors = list(Floor.objects.filter(center=center).order_by("level"))
    floor = next((f for f in floors if f.level == level), floors[0] if floors else None)
    settings = InspectionSettings.for_center(center)
    cells: list[ZoneCell] = []
    if floor is not None:
        zones = Zone.objects.filter(center=center, floor=floor, is_active=True)
        listed = list(zones.select_related("owner", "unit", "area_type").order_by("code"))
        latest = latest_inspections(zones, on=day)
        still_open = open_findings(center, [zone.pk for zone in listed], on=day)
        for zone in listed:
            inspection = latest.get(zone.pk)
            score = float(inspection.score) if inspection and inspection.score is not None else None
            cells.append(
                ZoneCell(
                    zone=zone,
                    score=score,
                    band=settings.band_for(score) if score is not None else "",
                    inspected_on=inspection.inspected_on if inspection else None,
                    kind=inspection.get_kind_display() if inspection else "",
                    open_findings=still_open.get(zone.pk, 0),
                )
            )
    return HeatMap(
        month=month,
        as_of=day,
        floors=floors,
        floor=floor,
        cells=cells,
        green_from=settings.green_from,
        yellow_from=settings.yellow_from,
    )


# --- the dashboard -------------------------------------------------------------------------


@dataclass
class ParetoRow:
    label: str
    area_type: str
    check_key: str
    pillar: str
    failures: int
    share: float
    cumulative: float
    source: str = CheckDay.Source.FINDING

    @property
    def is_acceptance(self) -> bool:
        """Failed on acceptance sheets (no finding, no rectification), not found as a finding."""
        return self.source == CheckDay.Source.ACCEPTANCE

    @property
    def name(self) -> str:
        """What the check is called on the Pareto chart's axis: the item aspect's name for an
        item check, the requirement without its clause code for a clause (the full text is in
        the chart's tooltip and the table)."""
        kind, _sep, rest = self.check_key.partition(":")
        if kind == "items":
            try:
                return str(Answer.Source(f"items_{rest}").label)
            except ValueError:
                pass
        text = self.label.strip().splitlines()[0] if self.label.strip() else self.check_key
        if kind == "clause" and text.startswith(rest + " ") and len(text) > len(rest) + 1:
            text = text[len(rest) + 1 :].strip()
        if self.is_acceptance:
            return _("%(check)s (acceptance)") % {"check": text}
        return text


def pareto(center: Center, month: datetime.date, *, total: int) -> list[ParetoRow]:
    """The most failed checks of the month with their cumulative share of all failures
    (`total`: findings and acceptance sheets' failed checks). A check failed both ways is two
    bars, each labelled by what it is: a finding asks for a rectification, an acceptance
    failure does not."""
    rows = (
        CheckDay.objects.filter(center=center, day__gte=month, day__lte=month_end(month))
        .order_by()
        .values("area_type_id", "area_type__name", "check_key", "source")
        .annotate(n=Sum("failures"), text=Max("label"), pillar_value=Max("pillar"))
        .order_by("-n", "check_key", "area_type_id", "source")[:PARETO_SIZE]
    )
    result = []
    running = 0
    for row in rows:
        running += row["n"]
        result.append(
            ParetoRow(
                label=row["text"] or row["check_key"],
                area_type=row["area_type__name"],
                check_key=row["check_key"],
                pillar=row["pillar_value"] or "",
                failures=row["n"],
                share=one_place(100 * row["n"] / total) if total else 0.0,
                cumulative=one_place(100 * running / total) if total else 0.0,
                source=row["source"],
            )
        )
    return result


@dataclass
class WaveFigure:
    name: str
    counts: list[tuple[str, str, int]]  # (phase, label, units in it now), then "done"
    units: int


@dataclass
class SurveyFigure:
    title: str
    pk: int
    is_open: bool
    answered: int
    audience: int

    @property
    def rate(self) -> float | None:
        return one_place(100 * self.answered / self.audience) if self.audience else None


@dataclass
class Dashboard:
    month: datetime.date
    current: Totals
    previous: Totals
    trend: list[tuple[datetime.date, Totals]]
    pareto: list[ParetoRow]
    ranking: Ranking
    pending_rectifications: int
    overdue_rectifications: int
    pending_filings: int
    waves: list[WaveFigure]
    programme: str
    survey: SurveyFigure | None
    acknowledgement_required: int
    acknowledgement_done: int

    @property
    def acknowledgement_rate(self) -> float | None:
        if not self.acknowledgement_required:
            return None
        return one_place(100 * self.acknowledgement_done / self.acknowledgement_required)

    @property
    def score_change(self) -> float | None:
        now, before = self.current.avg_score, self.previous.avg_score
        return one_place(now - before) if now is not None and before is not None else None


def wave_figures(center: Center) -> tuple[str, list[WaveFigure]]:
    programme = current_programme(center)
    if programme is None:
        return "", []
    figures = []
    for block in progress_matrix(programme):
        counts = block.counts
        figures.append(
            WaveFigure(
                name=block.wave.name,
                counts=[(phase, str(Phase(phase).label), counts[phase]) for phase in PHASES]
                + [("done", _("All phases accepted"), counts["done"])],
                units=len(block.rows),
            )
        )
    return programme.name, figures


def survey_figure(center: Center) -> SurveyFigure | None:
    """The open survey (else the latest closed one) and how many of its audience answered."""
    survey = (
        Survey.objects.filter(center=center)
        .exclude(status=Survey.Status.DRAFT)
        .annotate(
            answered=Count("participations", distinct=True),
            open_first=Case(
                When(status=Survey.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .prefetch_related("units", "groups")
        .order_by("open_first", "-opens_on", "-pk")
        .first()
    )
    if survey is None:
        return None
    audience = audience_users(
        center, unit_ids=survey.audience_unit_ids, group_ids=survey.audience_group_ids
    ).count()
    return SurveyFigure(
        title=survey.title,
        pk=survey.pk,
        is_open=survey.is_open(),
        answered=survey.answered,  # type: ignore[attr-defined]
        audience=audience,
    )


def acknowledgement_totals(center: Center) -> tuple[int, int]:
    """(people who must acknowledge, people who acknowledged all theirs): people, not rows."""
    return acknowledgement_people(center)


def dashboard(center: Center, month: datetime.date) -> Dashboard:
    today = timezone.localdate()
    trend = monthly_series(center, last=month, months=TREND_MONTHS)
    current, previous = trend[-1][1], trend[-2][1]
    now = (
        Rectification.objects.filter(center=center)
        .pending()
        .aggregate(
            pending=Count("pk"),
            overdue=Count("pk", filter=Q(status=Rectification.Status.OPEN, due_on__lt=today)),
        )
    )
    programme, waves = wave_figures(center)
    required, done = acknowledgement_totals(center)
    return Dashboard(
        month=month,
        current=current,
        previous=previous,
        trend=trend,
        pareto=pareto(center, month, total=current.failures),
        ranking=ranking(center, month),
        pending_rectifications=now["pending"] or 0,
        overdue_rectifications=now["overdue"] or 0,
        pending_filings=ItemFiling.objects.filter(
            center=center, status=ItemFiling.Status.REQUESTED
        ).count(),
        waves=waves,
        programme=programme,
        survey=survey_figure(center),
        acknowledgement_required=required,
        acknowledgement_done=done,
    )


def chart_data(board: Dashboard) -> dict[str, Any]:
    """What the dashboard's ECharts draw, handed over through json_script."""
    top = board.ranking.rows[:10]
    return {
        "trend": {
            "months": [f"{month:%Y-%m}" for month, _totals in board.trend],
            "series": [
                {"name": _("Average score"), "values": [t.avg_score for _m, t in board.trend]},
                {
                    "name": _("Supervision score"),
                    "values": [t.supervision_score for _m, t in board.trend],
                },
            ],
            "ratings": {
                "name": _("Citizen rating (0–100)"),
                "values": [t.rating_index for _m, t in board.trend],
            },
        },
        "pareto": {
            "names": [row.name for row in board.pareto],  # the axis: names, never numbers
            "labels": [row.label for row in board.pareto],
            "groups": [row.area_type for row in board.pareto],
            "counts": [row.failures for row in board.pareto],
            "cumulative": [row.cumulative for row in board.pareto],
            "count_name": _("Failures"),
            "cumulative_name": _("Cumulative share"),
        },
        "ranking": {
            "labels": [row.unit.name for row in top],
            "values": [row.score for row in top],
            "name": _("Monthly score"),
        },
        "waves": {
            "names": [wave.name for wave in board.waves],
            "phases": [label for _p, label, _n in board.waves[0].counts] if board.waves else [],
            "counts": [[n for _p, _l, n in wave.counts] for wave in board.waves],
        },
        "ratings": {
            "labels": [label for _v, label, _n in board.current.by_level()],
            "counts": [n for _v, _l, n in board.current.by_level()],
        },
    }


# --- one unit --------------------------------------------------------------------------------


@dataclass
class DimensionRow:
    dimension: str
    ratings: int
    mean: float | None
    good_rate: float | None


@dataclass
class UnitCard:
    unit: Unit
    month: datetime.date
    row: ScoreRow | None
    ranked: int
    history: list[tuple[datetime.date, Totals]]
    dimensions: list[DimensionRow]
    findings: list[Finding]
    zones: list[tuple[Zone, Inspection | None]]


def unit_chart(card: UnitCard) -> dict[str, Any]:
    """What the unit scorecard's chart draws: six months of three rates."""
    return {
        "months": [f"{m:%Y-%m}" for m, _t in card.history],
        "series": [
            {
                "name": _("Supervision score"),
                "values": [t.supervision_score for _m, t in card.history],
            },
            {
                "name": _("Rectification on time"),
                "values": [t.on_time_rate for _m, t in card.history],
            },
            {
                "name": _("Citizen rating (0–100)"),
                "values": [t.rating_index for _m, t in card.history],
            },
        ],
    }


def not_counted(center: Center, month: datetime.date) -> int:
    """The month's default and invalid ratings: kept and exported, in no figure. One query."""
    return (
        CitizenRating.objects.not_counted()
        .filter(center=center, rated_on__gte=month, rated_on__lte=month_end(month))
        .count()
    )


def unit_card(center: Center, unit: Unit, month: datetime.date) -> UnitCard:
    """One unit's scorecard for the month. Thirteen queries."""
    board = ranking(center, month)
    history = monthly_series(center, last=month, months=HISTORY_MONTHS, unit=unit)
    dimensions = []
    for row in (
        CitizenRating.objects.counted()
        .filter(center=center, unit=unit, rated_on__gte=month, rated_on__lte=month_end(month))
        .order_by()
        .values("dimension")
        .annotate(
            n=Count("pk"),
            total=Sum("rating"),
            good=Count("pk", filter=Q(rating__gte=GOOD_FROM)),
        )
        .order_by("dimension")
    ):
        dimensions.append(
            DimensionRow(
                dimension=row["dimension"] or _("Overall"),
                ratings=row["n"],
                mean=round(row["total"] / row["n"], 2) if row["n"] else None,
                good_rate=one_place(100 * row["good"] / row["n"]) if row["n"] else None,
            )
        )
    findings = list(
        Finding.objects.filter(
            center=center, zone__unit=unit, found_on__gte=month, found_on__lte=month_end(month)
        )
        .select_related("zone", "rectification", "person")
        .order_by("-deduction", "-found_on", "pk")[:10]
    )
    zones = Zone.objects.filter(center=center, unit=unit, is_active=True)
    latest = latest_inspections(zones, on=as_of(month))
    return UnitCard(
        unit=unit,
        month=month,
        row=board.row_of(unit),
        ranked=len(board.rows),
        history=history,
        dimensions=dimensions,
        findings=findings,
        zones=[(zone, latest.get(zone.pk)) for zone in zones.order_by("code")],
    )
