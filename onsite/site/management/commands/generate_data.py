"""`manage.py generate_data --centers N --years Y [--seed S]`: realistic synthetic centers for
the benchmark (`make bench`) and for trying the pages at scale.

Each center gets a fresh code (`gen01`, `gen02` …) and every registered domain generator
fills it in `GENERATORS` order. The random choices of a (seed, center, domain) triple come
from their own stream, so adding a domain leaves the others' data unchanged, and the same seed
and `--until` date give the same data. See onsite/core/generate.py for the contract."""

from __future__ import annotations

import datetime
import random
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from onsite.core.generate import Generator, check_references, skip_reference_triggers
from onsite.core.models import Center
from onsite.dashboards import generate as dashboards
from onsite.engagement import generate as engagement
from onsite.inspections import generate as inspections
from onsite.org import generate as org
from onsite.programme import generate as programme
from onsite.programme.models import Phase, PhaseProgress
from onsite.rectification import generate as rectification
from onsite.redtags import generate as redtags
from onsite.standards import generate as standards
from onsite.supplies import generate as supplies
from onsite.surveys import generate as surveys


def sort_spans(center: Center) -> dict[int, tuple[datetime.date, datetime.date | None]]:
    """Unit id → (started_on, accepted_on) of its sort phase, from the programme's generated
    phase progress (the first programme that started it); units not started are left out."""
    spans: dict[int, tuple[datetime.date, datetime.date | None]] = {}
    rows = (
        PhaseProgress.objects.filter(center=center, phase=Phase.SORT, started_on__isnull=False)
        .order_by("started_on", "pk")
        .values_list("unit_id", "started_on", "accepted_on")
    )
    for unit, started, accepted in rows:
        if started is not None:  # always, by the filter; said for the type checker
            spans.setdefault(unit, (started, accepted))
    return spans


def red_tags(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    """Red tags hung while each unit is in the programme's sort phase: red tags sit below the
    programme, so the site reads the phase dates and passes them in."""
    return redtags.generate(
        center, years=years, rng=rng, until=until, sort_spans=sort_spans(center)
    )


# Domain generators in dependency order, by domain: `generate(center, *, years, rng, until)`.
# A domain adds its line when its models are committed.
GENERATORS: dict[str, Generator] = {
    "org": org.generate,
    "standards": standards.generate,
    "inspections": inspections.generate,
    "rectification": rectification.generate,
    "programme": programme.generate,
    "surveys": surveys.generate,
    "engagement": engagement.generate,
    "dashboards": dashboards.generate,
    "supplies": supplies.generate,
    "redtags": red_tags,  # after programme: it reads the sort phase's dates
}


def center_code(prefix: str, number: int) -> str:
    return f"{prefix}{number:02d}"


class Command(BaseCommand):
    help = "Generates synthetic centers with years of data for every domain (bulk inserts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--centers", type=int, default=1, help="how many centers (default 1)")
        parser.add_argument(
            "--years", type=float, default=1, help="years of history per center (0.05: ~2 weeks)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--prefix", default="gen", help="center code prefix (default gen)")
        parser.add_argument(
            "--first", type=int, default=1, help="number of the first center (to add more later)"
        )
        parser.add_argument(
            "--until", type=datetime.date.fromisoformat, default=None,
            help="last day of the history, YYYY-MM-DD (default today)",
        )  # fmt: skip
        parser.add_argument(
            "--only", default="", help="comma-separated domains to run (e.g. org,standards)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        centers: int = options["centers"]
        years: float = options["years"]
        if centers < 1 or not 0 < years <= 50:
            raise CommandError("--centers must be at least 1 and --years between 0 and 50.")
        until: datetime.date = options["until"] or timezone.localdate()
        steps = self._steps(options["only"])
        codes = [
            center_code(options["prefix"], n)
            for n in range(options["first"], options["first"] + centers)
        ]
        taken = list(Center.objects.filter(code__in=codes).values_list("code", flat=True))
        if taken:
            raise CommandError(
                f"Centers already exist: {', '.join(taken)}. Use another --prefix or --first."
            )
        started = time.monotonic()
        totals: dict[str, int] = {}
        with translation.override("zh-hans"):
            for code in codes:
                self._center(code, years=years, until=until, seed=options["seed"],
                             steps=steps, totals=totals)  # fmt: skip
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {centers} center(s) × {years:g} year(s) in {elapsed:.1f} s "
                f"({elapsed / (centers * years):.1f} s per center-year)."
            )
        )
        for label, count in sorted(totals.items()):
            self.stdout.write(f"  {label:<36} {count:>10,}")

    def _steps(self, only: str) -> list[tuple[str, Generator]]:
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        steps = [
            (domain, generate)
            for domain, generate in GENERATORS.items()
            if not wanted or domain in wanted
        ]
        unknown = wanted - {domain for domain, _ in steps}
        if unknown:
            raise CommandError(f"Unknown domain(s): {', '.join(sorted(unknown))}.")
        return steps

    def _center(
        self,
        code: str,
        *,
        years: float,
        until: datetime.date,
        seed: int,
        steps: list[tuple[str, Generator]],
        totals: dict[str, int],
    ) -> None:
        number = code[-2:]
        center = Center.objects.create(
            code=code, name=f"第{number}号模拟行政服务中心", region="模拟市"
        )
        for domain, generate in steps:
            rng = random.Random(f"{seed}:{code}:{domain}")
            began = time.monotonic()
            with transaction.atomic():
                unchecked = skip_reference_triggers()
                counts = generate(center, years=years, rng=rng, until=until)
                if unchecked:
                    problems = [
                        problem
                        for label in counts
                        for problem in check_references(apps.get_model(label), center_id=center.pk)
                    ]
                    if problems:
                        raise CommandError("; ".join(problems))
            rows = sum(counts.values())
            self.stdout.write(
                f"{code} {domain:<14} {rows:>9,} rows in {time.monotonic() - began:6.1f} s"
            )
            for label, count in counts.items():
                totals[label] = totals.get(label, 0) + count
