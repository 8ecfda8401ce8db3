"""Load and fault scenarios, each with a report and a reconciliation of every submission:

    python -m bench.scenarios morning       [--minutes 10]  30 inspectors (one 20-check
                                            inspection with 3 photos a minute each), 20 staff
                                            browsing, 5 leaders on the dashboards
    python -m bench.scenarios burst         [--minutes 4]   10 → 60 submitting users, 10 %
                                            double taps, short client timeouts and retries
    python -m bench.scenarios killed-worker [--minutes 10]  the morning round while a gunicorn
                                            worker is SIGKILLed every --every seconds
    python -m bench.scenarios db-restart    [--minutes 10]  the morning round with a PostgreSQL
                                            restart half way (pg_ctlcluster: it restarts the
                                            whole local server, so never while others test)

Each runs on perf_scenario, a copy of perf_data1 (generated first if missing or stale), under
gunicorn with a task worker, load from locust on 127.0.0.1. The report lands in
bench/out/scenario-<name>.json and under "scenarios" in bench/results.json."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.endpoints import ENDPOINTS
from bench.run import DATA_1, DOCS, RESULTS, ensure_data
from bench.server import (
    OUT,
    PYTHON,
    ROOT,
    Sample,
    Server,
    app_env,
    create_database,
    get_status,
    gunicorn,
    locust,
    log,
    prepare,
    server_kind,
)
from bench.stats import figures

DB = "perf_scenario"
SOURCE_DB = DATA_1
TARGETS = {e.name: e.target_p95_ms for e in ENDPOINTS}
TARGETS.update(inspection_submit=1000, filing_submit=1000)
RECOVERY_TARGET_S = 10.0


@contextmanager
def task_worker(
    db: str, *, name: str = "", env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """The database task worker, as production runs it beside the app; `name` sets its worker
    id (and log file) when several run, `env` adds to the app's environment."""
    args = [PYTHON, str(ROOT / "manage.py"), "db_worker", "--interval", "1"]
    if name:
        args += ["--worker-id", name]
    with (OUT / f"{name or f'worker-{db}'}.log").open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            args, env={**app_env(db), **(env or {})}, cwd=ROOT, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Faults(threading.Thread):
    """Injects the scenario's fault while the load runs, and writes down what happened."""

    def __init__(self, kind: str, server: Server, *, seconds: float, every: float) -> None:
        super().__init__(daemon=True)
        self.kind, self.server, self.seconds, self.every = kind, server, seconds, every
        self.events: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.rng = random.Random()  # noqa: S311 - which worker dies, nothing secret

    def run(self) -> None:
        if self.kind == "killed-worker":
            while not self.stop.wait(self.every):
                pids = self.server.worker_pids()
                if pids:
                    victim = self.rng.choice(pids)
                    os.kill(victim, signal.SIGKILL)
                    self.events.append({"t": time.time(), "event": "SIGKILL", "pid": victim})
        elif self.kind == "db-restart" and not self.stop.wait(self.seconds / 2):
            self.events.append(restart_database(self.server))

    def halt(self) -> None:
        self.stop.set()
        self.join(timeout=120)


def restart_database(server: Server) -> dict[str, Any]:
    """Restarts the local PostgreSQL cluster and times how long until the app answers again
    (without touching the app)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    began = time.time()
    result = subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    back = time.time()
    answered = None
    while time.time() - back < 120:
        if get_status(server.url + "/healthz", timeout=2) == 200:
            answered = time.time()
            break
        time.sleep(0.2)
    return {
        "t": began,
        "event": "database restart",
        "restart_seconds": round(back - began, 2),
        "serving_again_after_s": None if answered is None else round(answered - back, 2),
        "returncode": result.returncode,
        "stderr": result.stderr[-500:],
    }


def summarize(samples: list[Sample]) -> dict[str, Any]:
    rows = {}
    for name in sorted({s.name for s in samples}):
        result = figures(samples, name=name).as_dict()
        target = TARGETS.get(name)
        rows[name] = {
            **result,
            "target_p95_ms": target,
            "meets_target": None if target is None else result["p95_ms"] <= target,
        }
    return rows


def run_scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60
    until = datetime.date.today().isoformat()
    ensure_data(SOURCE_DB, centers=1, years=1, until=until, reuse=True)
    log(f"{DB}: a copy of {SOURCE_DB}")
    create_database(DB, template=SOURCE_DB)
    burst = name == "burst"
    inspectors = args.high if burst else args.inspectors
    context = OUT / f"context-scenario-{name}.json"
    prepare(
        DB, "context", "--center", "gen01", "--out", str(context),
        "--count", f"inspector={inspectors}", "--count", f"staff={args.browsers}",
        "--count", f"leader={args.leaders}",
    )  # fmt: skip
    journal = OUT / f"journal-scenario-{name}"
    shutil.rmtree(journal, ignore_errors=True)
    journal.mkdir(parents=True)
    env = {
        "BENCH_JOURNAL": str(journal / "load.jsonl"),
        "BENCH_INSPECTORS": str(args.inspectors),
        "BENCH_BROWSERS": str(args.browsers),
        "BENCH_LEADERS": str(args.leaders),
        "BENCH_PACING": str(args.pacing),
        "BENCH_DOUBLE": str(args.double),
        "BENCH_LOW": str(args.low),
        "BENCH_HIGH": str(args.high),
        "BENCH_SECONDS": str(seconds),
        "BENCH_CLIENT_TIMEOUT": str(args.client_timeout),
    }
    if burst:
        classes, users, extra = ["Burster"], args.high, [str(ROOT / "bench" / "shape_burst.py")]
    else:
        classes = ["Inspector", "Browser", "Leader"]
        users, extra = args.inspectors + args.browsers + args.leaders, []
    with gunicorn(
        DB, workers=args.workers, threads=args.threads, log_name=f"gunicorn-{name}"
    ) as server:
        with task_worker(DB) as worker:
            log(f"{name}: {users} users for {args.minutes:g} min against {server.url}")
            faults = Faults(name, server, seconds=seconds, every=args.every)
            faults.start()
            began = time.time()
            samples = locust(
                host=server.url, context=context, classes=classes, users=users,
                seconds=seconds, tag=f"scenario-{name}", spawn_rate=10,
                extra_files=extra, env=env, stop_timeout=90,
            )  # fmt: skip
            faults.halt()
            worker_alive = worker.poll() is None
        serving = get_status(server.url + "/healthz") == 200
    reconciled = OUT / f"reconcile-scenario-{name}.json"
    prepare(DB, "reconcile", "--context", str(context), "--journal", str(journal),
            "--out", str(reconciled))  # fmt: skip
    submissions = json.loads(reconciled.read_text())
    requests = summarize(samples)
    errors = sum(r["errors"] for r in requests.values())
    report = {
        "scenario": name,
        "ran_at": datetime.datetime.fromtimestamp(began, datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "minutes": args.minutes,
        "users": users,
        "workers": args.workers,
        "server": server_kind(args.threads),
        "settings": {k: v for k, v in vars(args).items() if k != "scenario"},
        "load_average_after": os.getloadavg(),
        "requests": requests,
        "errors": errors,
        "submissions": submissions,
        "faults": faults.events,
        "task_worker_alive": worker_alive,
        "serving_at_the_end": serving,
    }
    report["verdict"] = verdict(report)
    (OUT / f"scenario-{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("scenarios", {})[name] = report
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    if not args.no_docs:
        update_docs(results)
    return report


def verdict(report: dict[str, Any]) -> dict[str, bool | None]:
    submissions = report["submissions"].values()
    checks: dict[str, bool | None] = {
        "nothing lost, doubled or half-saved": bool(submissions)
        and all(s["ok"] for s in submissions),
        "p95 targets": all(r["meets_target"] is not False for r in report["requests"].values()),
        "no errors": report["errors"] == 0,
        "serving at the end": report["serving_at_the_end"],
    }
    for event in report["faults"]:
        if event["event"] == "database restart":
            after = event["serving_again_after_s"]
            checks[f"serving within {RECOVERY_TARGET_S:g} s of the restart"] = (
                after is not None and after <= RECOVERY_TARGET_S
            )
    return checks


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"Scenario {report['scenario']}: {report['users']} users, {report['minutes']:g} min, "
        f"{report['workers']} gunicorn {report.get('server', 'sync workers')} (load average after: "
        f"{', '.join(f'{x:.1f}' for x in report['load_average_after'])})",
        "",
        "| request | count | errors | p50 ms | p95 ms | max ms | p95 target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in report["requests"].items():
        target = r["target_p95_ms"]
        mark = "" if target is None else f"≤ {target} {'✓' if r['meets_target'] else '✗'}"
        lines.append(
            f"| {name} | {r['requests']} | {r['errors']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} "
            f"| {r['max_ms']:.0f} | {mark} |"
        )
    lines.append("")
    for flow, s in report["submissions"].items():
        lines.append(
            f"Submissions ({flow}): {s['keys']} sent ({s['double_taps']} double taps, "
            f"{s['retried']} retried), {s['confirmed']} confirmed, {s['unconfirmed']} "
            f"unconfirmed; lost {s['lost']}, duplicated {s['duplicated']}, partial "
            f"{s['partial']}, wrong id {s['wrong_id']} → {'OK' if s['ok'] else 'FAILED'}"
        )
    for event in report["faults"]:
        details = ", ".join(f"{k} {v}" for k, v in event.items() if k not in ("t", "stderr"))
        lines.append(f"Fault: {details}")
    lines.append("")
    for check, ok in report["verdict"].items():
        lines.append(f"{'✓' if ok else '✗'} {check}")
    return "\n".join(lines)


SCENARIOS_START, SCENARIOS_END = "<!-- bench:scenarios:start -->", "<!-- bench:scenarios:end -->"


def update_docs(results: dict[str, Any]) -> None:
    """Rewrites the scenarios block of docs/performance.md from every scenario's last report."""
    if not DOCS.exists():
        return
    text = DOCS.read_text()
    if SCENARIOS_START not in text or SCENARIOS_END not in text:
        return
    blocks = []
    for name in ("morning", "burst", "killed-worker", "db-restart"):
        report = results.get("scenarios", {}).get(name)
        if report:
            blocks.append(f"#### {name} ({report['ran_at']})\n\n{format_report(report)}")
    head, rest = text.split(SCENARIOS_START, 1)
    _old, tail = rest.split(SCENARIOS_END, 1)
    body = "\n\n".join(blocks) or "No scenario has run yet."
    DOCS.write_text(f"{head}{SCENARIOS_START}\n{body}\n{SCENARIOS_END}{tail}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(prog="bench.scenarios", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["morning", "burst", "killed-worker", "db-restart"])
    parser.add_argument("--minutes", type=float, default=None, help="default 10 (burst 4)")
    parser.add_argument("--inspectors", type=int, default=30)
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument("--leaders", type=int, default=5)
    parser.add_argument(
        "--pacing", type=float, default=None, help="seconds per inspection (60; burst 30)"
    )
    parser.add_argument("--low", type=int, default=10, help="burst: users before")
    parser.add_argument("--high", type=int, default=60, help="burst: users after")
    parser.add_argument("--double", type=float, default=0.1, help="burst: share of double taps")
    parser.add_argument("--client-timeout", type=float, default=10, help="burst: seconds")
    parser.add_argument("--every", type=float, default=60, help="killed-worker: seconds")
    parser.add_argument("--workers", type=int, default=2 * cpus + 1)
    parser.add_argument("--threads", type=int, default=2, help="per worker (1: sync workers)")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    if args.minutes is None:
        args.minutes = 4.0 if args.scenario == "burst" else 10.0
    if args.pacing is None:
        args.pacing = 30.0 if args.scenario == "burst" else 60.0
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    report = run_scenario(args.scenario, args)
    print("\n" + format_report(report) + "\n")
    log(f"wrote {(OUT / f'scenario-{args.scenario}.json').relative_to(ROOT)}")
    return 0 if all(ok is not False for ok in report["verdict"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
