"""`make eval-vision`: the photo check (onsite.vision.analyse) over the generated labelled set
(onsite.vision.evalset): precision and recall per kind of draft finding, and seconds per photo.
Prints a table and writes bench/vision.json. A report, not a gate: exit 0 unless it crashes.

A prediction is right (a true positive) when its kind is the truth's kind (for not_allowed and
over_quantity also the item's kind) and its box overlaps an unmatched truth's box with an
intersection over union of at least IOU (greedy, most confident prediction first). In the
combined "reference" row any of added / missing / moved matches any of them; a prediction at
the place a moved item left counts neither way there."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from onsite.vision.compare import Box  # noqa: E402
from onsite.vision.evalset import Truth  # noqa: E402

IOU = 0.3
REFERENCE_KINDS = ("added", "missing", "moved")
ITEM_KINDS = ("not_allowed", "over_quantity")  # the item must match too
# "not_allowed, any name": the finding right (an item the zone does not allow, there) whatever
# the detector called it, e.g. a drawn potted plant taken for a vase.
ANY_NAME = "not_allowed, any name"
ROWS = ("not_allowed", ANY_NAME, "over_quantity", "too_close", "reference", *REFERENCE_KINDS)


@dataclass(frozen=True)
class Prediction:
    kind: str
    item: str
    box: Box
    score: float


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Count) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def iou(a: Box, b: Box) -> float:
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0


def _in_row(kind: str, row: str) -> bool:
    if row == ANY_NAME:
        return kind == "not_allowed"
    return kind in REFERENCE_KINDS if row == "reference" else kind == row


def score_row(
    predictions: Iterable[Prediction], truths: Iterable[Truth], row: str, threshold: float = IOU
) -> Count:
    """TP / FP / FN of one photo for one row ("reference" = added, missing and moved as one)."""
    preds = sorted((p for p in predictions if _in_row(p.kind, row)), key=lambda p: -p.score)
    wanted = [t for t in truths if _in_row(t.kind, row)]
    matched = [False] * len(wanted)
    count = Count()
    for pred in preds:
        best, best_iou = -1, threshold
        for j, truth in enumerate(wanted):
            if matched[j] or (row in ITEM_KINDS and truth.item != pred.item):
                continue
            overlap = iou(pred.box, truth.box)
            if overlap >= best_iou:
                best, best_iou = j, overlap
        if best >= 0:
            matched[best] = True
            count.tp += 1
        elif row == "reference" and any(
            t.also is not None and iou(pred.box, t.also) >= threshold for t in wanted
        ):
            continue  # where a moved item was: neither right nor wrong
        else:
            count.fp += 1
    count.fn = matched.count(False)
    return count


def score(predictions: Sequence[Prediction], truths: Sequence[Truth]) -> dict[str, Count]:
    return {row: score_row(predictions, truths, row) for row in ROWS}


def _fmt(value: float | None) -> str:
    return "  –  " if value is None else f"{value:5.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--counters", type=int, default=20, help="about 8 photos each")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "vision.json")
    parser.add_argument("--verbose", action="store_true", help="every photo's predictions")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # the detector finds its model through settings.VISION_MODEL_DIR
    from onsite.vision import evalset
    from onsite.vision.analyse import Rules, analyse

    started = time.perf_counter()
    samples = evalset.generate(args.seed, args.counters)
    generated = time.perf_counter() - started
    analyse(samples[0].photo, Rules(allowed={}))  # builds the detector's session: not timed

    totals = {row: Count() for row in ROWS}
    by_group: dict[str, dict[str, Count]] = {}
    seconds: list[float] = []
    alignments: dict[str, int] = {}
    for sample in samples:
        rules = Rules(**vars(sample.rules))
        t0 = time.perf_counter()
        result = analyse(sample.photo, rules, sample.reference)
        seconds.append(time.perf_counter() - t0)
        alignments[result.alignment] = alignments.get(result.alignment, 0) + 1
        predictions = [Prediction(d.kind, d.item, d.box, d.score) for d in result.drafts]
        counts = score(predictions, sample.truths)
        group = by_group.setdefault(sample.group.rstrip("0123456789"), {r: Count() for r in ROWS})
        for row, count in counts.items():
            totals[row].add(count)
            group[row].add(count)
        if args.verbose:
            print(sample.name, result.alignment, [(p.kind, p.item, p.score) for p in predictions])
            print("   truth", [(t.kind, t.item) for t in sample.truths])

    seconds.sort()
    mean = statistics.fmean(seconds)
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    print(
        f"Photo check on {len(samples)} photos (seed {args.seed}; {args.counters} generated "
        f"counters + real photos), match: kind, IoU ≥ {IOU}"
    )
    print(f"{'finding':<24}{'TP':>5}{'FP':>5}{'FN':>5}  precision  recall")
    for row in ROWS:
        c = totals[row]
        label = "  " + row if row in REFERENCE_KINDS else row
        print(f"{label:<24}{c.tp:>5}{c.fp:>5}{c.fn:>5}     {_fmt(c.precision)}   {_fmt(c.recall)}")
    print("false positives by variant:", {
        g: sum(c.fp for r, c in counts.items() if r not in ("reference", ANY_NAME)) for g, counts in by_group.items()
    })  # fmt: skip
    print(f"alignment: {alignments}")
    print(f"seconds per photo: mean {mean:.3f}, p95 {p95:.3f} (set generated in {generated:.1f} s)")

    report = {
        "seed": args.seed,
        "photos": len(samples),
        "iou": IOU,
        "findings": {
            row: {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": None if c.precision is None else round(c.precision, 3),
                "recall": None if c.recall is None else round(c.recall, 3),
            }
            for row, c in totals.items()
        },
        "by_variant": {
            g: {row: vars(c) for row, c in counts.items()} for g, counts in by_group.items()
        },
        "alignment": alignments,
        "seconds_per_photo": {"mean": round(mean, 3), "p95": round(p95, 3)},
        "cpu_count": os.cpu_count(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
