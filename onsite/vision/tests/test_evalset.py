"""The photo check's labelled set (onsite.vision.evalset) and the scoring of scripts/eval_vision.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import pytest

from onsite.vision import evalset, markers
from onsite.vision.compare import Box
from onsite.vision.evalset import Truth

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "eval_vision.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_vision", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_vision"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def samples() -> list[evalset.Sample]:
    return evalset.generate(seed=3, counters=2)


def test_the_set_is_the_same_for_the_same_seed_and_differs_for_another(
    samples: list[evalset.Sample],
) -> None:
    again = evalset.generate(seed=3, counters=2)
    assert [s.name for s in again] == [s.name for s in samples]
    assert [s.photo for s in again] == [s.photo for s in samples]
    assert [s.truths for s in again] == [s.truths for s in samples]
    other = evalset.generate(seed=4, counters=2)
    assert [s.photo for s in other] != [s.photo for s in samples]


def test_labels_are_consistent(samples: list[evalset.Sample]) -> None:
    kinds = {"not_allowed", "over_quantity", "too_close", "added", "missing", "moved"}
    assert len({s.name for s in samples}) == len(samples)
    groups = {s.group for s in samples}
    assert {"same0", "same1", "added-allowed", "missing", "moved", "real"} <= groups
    for sample in samples:
        photo = cv2.imdecode(np.frombuffer(sample.photo, np.uint8), cv2.IMREAD_COLOR)
        assert photo is not None
        if sample.source == "generated":
            assert photo.shape[:2] == (evalset.PHOTO[1], evalset.PHOTO[0])
            assert sample.reference is not None
        for truth in sample.truths:
            assert truth.kind in kinds
            for box in (truth.box, truth.also):
                if box is None:
                    continue
                assert box.x >= 0
                assert box.y >= 0
                assert min(box.w, box.h) > 0.005
                assert box.x + box.w <= 1 + 1e-9
                assert box.y + box.h <= 1 + 1e-9
            if truth.kind in {"not_allowed", "over_quantity", "too_close"}:
                assert truth.item
            if truth.kind == "not_allowed":  # the item is not whitelisted under the photo's rules
                assert truth.item not in sample.rules.allowed
            if truth.kind == "too_close":
                assert sample.rules.edge_mm
                assert sample.rules.counter_mm
        if sample.group.startswith("same"):
            assert sample.truths == ()


def test_an_item_box_stands_on_its_front_edge() -> None:
    """The box's bottom is the item's front: measured on the markers' plane it is the distance the
    item was placed at."""
    counter = evalset._counter(0, 0)
    assert counter.with_markers
    view = evalset.View(corners=evalset.BASE_VIEW)
    image = cv2.imdecode(
        np.frombuffer(evalset.shoot(counter, [], view), np.uint8), cv2.IMREAD_COLOR
    )
    assert image is not None
    plane = markers.counter_plane(markers.find_markers(image), *evalset.COUNTER_MM)
    assert plane is not None
    item = evalset.Item("cup", 700, 30, seed=1)
    box = evalset.box_of(item, view)
    x0, _y0, x1, y1 = box.to_pixels(*evalset.PHOTO)
    front = markers.to_mm(plane, np.array([[(x0 + x1) / 2, y1]], float))[0]
    assert front == pytest.approx([700, 30], abs=6)


def _p(kind: str, box: Box, item: str = "", score: float = 0.9) -> Any:
    return _script().Prediction(kind, item, box, score)


A = Box(0.1, 0.1, 0.2, 0.2)
A_SHIFTED = Box(0.15, 0.12, 0.2, 0.2)  # IoU with A about 0.5
B = Box(0.6, 0.6, 0.2, 0.2)
SLIVER = Box(0.1, 0.1, 0.2, 0.03)  # IoU with A 0.15


def test_scoring_counts_true_and_false_positives_and_misses() -> None:
    ev = _script()
    assert ev.iou(A, A) == pytest.approx(1.0)
    assert ev.iou(A, B) == 0.0
    truths = [Truth("not_allowed", "bottle", A), Truth("added", "", A), Truth("missing", "", B)]
    predictions = [
        _p("not_allowed", A_SHIFTED, "bottle"),  # right
        _p("not_allowed", B, "bottle"),  # nothing there
        _p("added", SLIVER),  # overlaps too little
        _p("missing", B),  # right
    ]
    counts = ev.score(predictions, truths)
    assert vars(counts["not_allowed"]) == {"tp": 1, "fp": 1, "fn": 0}
    assert vars(counts["added"]) == {"tp": 0, "fp": 1, "fn": 1}
    assert vars(counts["missing"]) == {"tp": 1, "fp": 0, "fn": 0}
    assert vars(counts["reference"]) == {"tp": 1, "fp": 1, "fn": 1}
    assert vars(counts["too_close"]) == {"tp": 0, "fp": 0, "fn": 0}


def test_the_item_kind_must_match_and_a_truth_is_matched_once() -> None:
    ev = _script()
    truths = [Truth("not_allowed", "bottle", A)]
    wrong_item = ev.score([_p("not_allowed", A, "cup")], truths)
    assert vars(wrong_item["not_allowed"]) == {"tp": 0, "fp": 1, "fn": 1}
    # the finding itself was right: an item not allowed, there
    assert vars(wrong_item[ev.ANY_NAME]) == {"tp": 1, "fp": 0, "fn": 0}
    twice = ev.score(
        [_p("not_allowed", A, "bottle", 0.8), _p("not_allowed", A_SHIFTED, "bottle", 0.9)], truths
    )["not_allowed"]
    assert vars(twice) == {"tp": 1, "fp": 1, "fn": 0}


def test_a_moved_item_reported_as_missing_and_added_counts_once_in_the_combined_row() -> None:
    ev = _script()
    truths = [Truth("moved", "", B, also=A)]
    predictions = [_p("added", B), _p("missing", A)]
    counts = ev.score(predictions, truths)
    assert vars(counts["reference"]) == {"tp": 1, "fp": 0, "fn": 0}
    assert vars(counts["moved"]) == {"tp": 0, "fp": 0, "fn": 1}
    assert vars(counts["added"]) == {"tp": 0, "fp": 1, "fn": 0}
    assert counts["reference"].precision == 1.0
    assert ev.Count().precision is None
