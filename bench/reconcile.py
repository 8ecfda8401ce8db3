"""The reconciler: what clients were told was saved, against what the database holds.

Load clients write one journal line per submit attempt chain (bench/locustfile.py): the
submission key, the marker the payload carried, whether the server confirmed the save and
the id it returned. The database side lists every stored object that carries a bench marker
and whether it is complete (all its parts: answers, photos, history row ...). Then, per key:

- lost: a client was told "saved" but nothing with its marker is stored;
- wrong id: something is stored, but not under the id the client was told;
- duplicated: more than one object stored for one key (a double tap or a retry saved twice);
- partial: a stored object misses some of its parts (or holds a part twice);
- unconfirmed: the client never heard back (it would retry); stored or not, that is no loss,
  and a draft it leaves behind is not a partial save (the phone would finish it).

This module has no Django import: bench.prepare feeds it rows from the database."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

MARKER = re.compile(r"\[bench:([0-9a-f]{8,64})\]")


def marker(key: str) -> str:
    """What a submission carries in a free-text field so its rows can be found afterwards."""
    return f"[bench:{key}]"


def key_in(text: str) -> str | None:
    found = MARKER.search(text or "")
    return found.group(1) if found else None


@dataclass(frozen=True)
class Attempt:
    """One journal line: a client's submit of `key`, retried until it got an answer. A line
    with no tries is written before the first one: the client sent it (if the run ends
    before an answer, the submit counts as unconfirmed)."""

    key: str
    flow: str
    user: str
    saved: bool  # the server confirmed the save
    object_id: str | None = None  # the id the server returned
    tries: int = 1
    statuses: tuple[int, ...] = ()  # HTTP status per try (0: no answer)
    tap: int = 1  # 2 for the second finger of a double tap
    # What the client sent with it, e.g. {"photos": 3, "answers": 20}: the stored object
    # must have exactly these parts.
    parts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Stored:
    """An object in the database that carries a bench marker."""

    key: str
    object_id: str
    complete: bool = True
    detail: str = ""
    parts: tuple[tuple[str, int], ...] = ()
    # Begun but not finished by design (an inspection draft the phone may still submit):
    # partial only if the client was told it was saved.
    in_progress: bool = False


@dataclass
class Report:
    flow: str
    keys: int = 0
    attempts: int = 0
    tries: int = 0
    double_taps: int = 0
    retried: int = 0
    confirmed: int = 0
    unconfirmed: int = 0
    unconfirmed_but_stored: int = 0
    left_in_progress: int = 0  # unconfirmed submits whose object is still a draft
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    wrong_id: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    told_two_ids: list[str] = field(default_factory=list)
    unknown_stored: int = 0  # stored with a marker no journal line names

    @property
    def ok(self) -> bool:
        return not (
            self.lost or self.wrong_id or self.duplicated or self.partial or self.told_two_ids
        )

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        for name in ("lost", "wrong_id", "duplicated", "partial", "told_two_ids"):
            keys = data.pop(name)
            data[name] = len(keys)
            data[f"{name}_keys"] = keys[:20]
        data["ok"] = self.ok
        return data


def reconcile(flow: str, attempts: Iterable[Attempt], stored: Iterable[Stored]) -> Report:
    report = Report(flow=flow)
    by_key: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.flow == flow:
            by_key[attempt.key].append(attempt)
    rows: dict[str, list[Stored]] = defaultdict(list)
    for row in stored:
        rows[row.key].append(row)
    report.stored = sum(len(found) for found in rows.values())
    report.unknown_stored = sum(len(found) for key, found in rows.items() if key not in by_key)

    for key, chain in sorted(by_key.items()):
        report.keys += 1
        report.attempts += sum(a.tries > 0 for a in chain)  # tries 0: the "sent" line
        report.tries += sum(a.tries for a in chain)
        report.double_taps += any(a.tap > 1 for a in chain)
        report.retried += any(a.tries > 1 for a in chain)
        found = rows.get(key, [])
        told = {a.object_id for a in chain if a.saved and a.object_id}
        if len(found) > 1:
            report.duplicated.append(key)
        confirmed = any(a.saved for a in chain)
        sent = {name: count for a in chain if a.saved for name, count in a.parts}
        finished = [row for row in found if not row.in_progress]
        if (
            any(not row.complete or _short(sent, dict(row.parts)) for row in finished)
            or (confirmed and found and not finished)  # told saved, still a draft
        ):
            report.partial.append(key)
        if len(told) > 1:
            report.told_two_ids.append(key)
        if not confirmed:
            report.unconfirmed += 1
            report.unconfirmed_but_stored += bool(finished)
            report.left_in_progress += bool(found) and not finished
            continue
        report.confirmed += 1
        if not found:
            report.lost.append(key)
        elif told and not told & {row.object_id for row in found}:
            report.wrong_id.append(key)
    return report


def _short(sent: dict[str, int], stored: dict[str, int]) -> bool:
    """Whether a stored object lacks (or has extra copies of) a part the client sent."""
    return any(stored.get(name) != count for name, count in sent.items())


def read_journal(paths: Sequence[Path]) -> list[Attempt]:
    attempts = []
    for path in paths:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            attempts.append(
                Attempt(
                    key=data["key"], flow=data["flow"], user=data["user"], saved=data["saved"],
                    object_id=data.get("object_id"), tries=data.get("tries", 1),
                    statuses=tuple(data.get("statuses", ())), tap=data.get("tap", 1),
                    parts=tuple(sorted((data.get("parts") or {}).items())),
                )
            )  # fmt: skip
    return attempts


def format_report(report: Report) -> str:
    verdict = "OK" if report.ok else "FAILED"
    return (
        f"{report.flow}: {verdict} — {report.keys} submissions ({report.double_taps} double taps, "
        f"{report.retried} retried, {report.tries} HTTP tries); confirmed {report.confirmed}, "
        f"unconfirmed {report.unconfirmed} ({report.unconfirmed_but_stored} of them stored, "
        f"{report.left_in_progress} left as drafts); "
        f"lost {len(report.lost)}, wrong id {len(report.wrong_id)}, duplicated "
        f"{len(report.duplicated)}, partial {len(report.partial)}, told two ids "
        f"{len(report.told_two_ids)}; stored {report.stored} "
        f"({report.unknown_stored} not in any journal)"
    )
