"""`make scale-check`: the deployment of docs/deployment.md on this machine, with real parts.

A PostgreSQL primary of its own (port 5440) with generated data, a streaming replica made
from it with pg_basebackup (port 5441), two gunicorn app servers reading the replica and
sharing the Redis cache, two task workers, and a round-robin balancer in front (as nginx's
upstream: a server that refuses connections is skipped). The morning round runs through the
balancer from locust; a third of the way in, app server B is killed (SIGKILL to its whole
process group); two thirds in, the replica is stopped. Then every submission the phones were
told was saved is reconciled with the database.

    python -m bench.province [--minutes 3] [--inspectors 10] [--browsers 6] [--leaders 4]

It passes when nothing acknowledged is lost or doubled, the replica served dashboard reads
(its own statistics and client connections), the dashboards answered after the replica
stopped, and the surviving server still answers. The report is bench/out/scale-check.json.
The system's PostgreSQL on 5432 is not touched."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

PRIMARY_PORT, REPLICA_PORT = 5440, 5441
BASE = Path("/tmp/onsite-scale-check")  # noqa: S108 - the postgres user must reach it
os.environ["BENCH_PG"] = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}"

import psycopg  # noqa: E402 - after BENCH_PG: bench.server reads it when imported

from bench.run import ensure_data  # noqa: E402
from bench.scenarios import summarize, task_worker  # noqa: E402
from bench.server import (  # noqa: E402
    OUT,
    Server,
    create_database,
    free_port,
    get_status,
    gunicorn,
    locust,
    log,
    prepare,
)

REPLICA_PAGES = {"dashboard", "heat_map", "scorecards", "ranking"}  # bench/endpoints.py names
DB = "perf_scale"
SOURCE_DB = "perf_scale_data"


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").iterdir())
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1] / "bin"


def as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603


def ctl(folder: Path, action: str, *extra: str) -> None:
    run(*as_postgres(str(pg_bin() / "pg_ctl"), "-D", str(folder), "-w", "-t", "60",
                     "-l", str(folder.parent / f"{folder.name}.log"), action, *extra))  # fmt: skip


@contextmanager
def clusters() -> Iterator[tuple[Path, Path]]:
    """A primary with replication open on 127.0.0.1, and its streaming replica."""
    for folder in (BASE / "replica", BASE / "primary"):
        if (folder / "postmaster.pid").exists():
            subprocess.run(as_postgres(str(pg_bin() / "pg_ctl"), "-D", str(folder), "-m",  # noqa: S603
                                       "immediate", "stop"), check=False, capture_output=True)  # fmt: skip
    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(BASE, "postgres", "postgres")
    primary, replica = BASE / "primary", BASE / "replica"
    run(*as_postgres(str(pg_bin() / "initdb"), "-D", str(primary), "-U", "postgres",
                     "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"))  # fmt: skip
    settings = (
        f"port = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{BASE}'\n"
        "wal_level = replica\nmax_wal_senders = 5\nfsync = off\nmax_connections = 200\n"
    )
    with (primary / "postgresql.auto.conf").open("a") as conf:
        conf.write(settings)
    (primary / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        "host replication all 127.0.0.1/32 trust\n"
    )
    ctl(primary, "start")
    log(f"primary on {PRIMARY_PORT}")
    try:
        yield primary, replica
    finally:
        for folder in (replica, primary):
            if (folder / "postmaster.pid").exists():
                subprocess.run(as_postgres(str(pg_bin() / "pg_ctl"), "-D", str(folder), "-m",  # noqa: S603
                                           "immediate", "stop"), check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(BASE, ignore_errors=True)


def start_replica(replica: Path) -> None:
    run(*as_postgres(str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
                     "-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast"))  # fmt: skip
    with (replica / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {REPLICA_PORT}\nhot_standby = on\n")
    ctl(replica, "start")
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/postgres") as conn:
        deadline = time.monotonic() + 60
        while not one(conn, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"):
            if time.monotonic() > deadline:
                raise RuntimeError("the replica is not streaming")
            time.sleep(0.3)
    log(f"replica streaming on {REPLICA_PORT}")


def one(conn: psycopg.Connection[Any], sql: str, *params: str) -> Any:
    row = conn.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def replica_reads() -> dict[str, Any]:
    """What the replica has served of the scenario's database: its own statistics (rows
    returned, transactions) and its client connections right now."""
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/postgres") as conn:
        returned = one(conn, "SELECT tup_returned FROM pg_stat_database WHERE datname = %s", DB)
        commits = one(conn, "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", DB)
        clients = one(conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()", DB)  # fmt: skip
    return {"rows_returned": returned, "transactions": commits, "app_connections": clients}


# --- the balancer ---------------------------------------------------------------------------------


class Balancer(threading.Thread):
    """Round-robin TCP balancer on 127.0.0.1: a backend that refuses the connection is
    skipped for the next, as nginx's upstream does (proxy_next_upstream error)."""

    def __init__(self, backends: list[int]) -> None:
        super().__init__(daemon=True)
        self.backends, self.port, self.turn = backends, free_port(), 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.served = dict.fromkeys(backends, 0)

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self.handle, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        for _ in self.backends:
            port = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            self.served[port] += 1
            break
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- the run ----------------------------------------------------------------------------------------


def faults(seconds: float, doomed: Server, replica: Path, survivor: Server,
           events: list[dict[str, Any]]) -> threading.Thread:  # fmt: skip
    def inject() -> None:
        time.sleep(seconds / 3)
        events.append({"t": time.time(), "event": "replica reads before the faults",
                       **replica_reads()})  # fmt: skip
        os.killpg(doomed.pid, signal.SIGKILL)
        events.append({"t": time.time(), "event": "app server B killed", "pid": doomed.pid})
        time.sleep(seconds / 3)
        events.append({"t": time.time(), "event": "replica reads before it stops",
                       **replica_reads()})  # fmt: skip
        ctl(replica, "stop", "-m", "fast")
        stopped = time.time()
        events.append({"t": stopped, "event": "replica stopped"})
        time.sleep(8)
        with urllib.request.urlopen(survivor.url + "/healthz", timeout=5) as answer:  # noqa: S310
            health = answer.read().decode()
        events.append({"t": time.time(), "event": "health after the replica stopped",
                       "healthz": health})  # fmt: skip

    thread = threading.Thread(target=inject, daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.province", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--inspectors", type=int, default=10)
    parser.add_argument("--browsers", type=int, default=6)
    parser.add_argument("--leaders", type=int, default=4)
    parser.add_argument("--pacing", type=float, default=20.0)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    seconds = args.minutes * 60
    until = datetime.date.today().isoformat()
    report: dict[str, Any] = {"minutes": args.minutes}
    with clusters() as (_primary, replica):
        report["data"] = ensure_data(SOURCE_DB, centers=1, years=1, until=until, reuse=False)
        create_database(DB, template=SOURCE_DB)
        start_replica(replica)
        context = OUT / "context-scale.json"
        prepare(DB, "context", "--center", "gen01", "--out", str(context),
                "--count", f"inspector={args.inspectors}", "--count", f"staff={args.browsers}",
                "--count", f"leader={args.leaders}")  # fmt: skip
        journal = OUT / "journal-scale"
        shutil.rmtree(journal, ignore_errors=True)
        journal.mkdir(parents=True)
        shared = {
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
            "CACHE_URL": "redis://127.0.0.1:6379/5",
            "CACHE_KEY_PREFIX": f"scale-{int(time.time())}",
            "REPLICA_CHECK_SECONDS": "2",
            "READ_YOUR_WRITES_SECONDS": "30",
        }
        events: list[dict[str, Any]] = []
        with ExitStack() as stack:
            first = stack.enter_context(gunicorn(DB, workers=2, threads=2,
                                                 log_name="scale-a", env=shared))  # fmt: skip
            second = stack.enter_context(gunicorn(DB, workers=2, threads=2,
                                                  log_name="scale-b", env=shared))  # fmt: skip
            workers = [
                stack.enter_context(task_worker(DB, name=f"scale-{n}", env=shared))
                for n in ("w1", "w2")
            ]
            balancer = Balancer(
                [int(first.url.rsplit(":", 1)[1]), int(second.url.rsplit(":", 1)[1])]
            )
            balancer.start()
            balancer.ready.wait(10)
            host = f"http://127.0.0.1:{balancer.port}"
            log(f"two app servers behind {host}, two task workers, {args.minutes:g} min of load")
            injector = faults(seconds, second, replica, first, events)
            samples = locust(
                host=host, context=context, classes=["Inspector", "Browser", "Leader"],
                users=args.inspectors + args.browsers + args.leaders, seconds=seconds,
                tag="scale-check", spawn_rate=10, stop_timeout=60,
                env={"BENCH_JOURNAL": str(journal / "load.jsonl"),
                     "BENCH_INSPECTORS": str(args.inspectors), "BENCH_BROWSERS": str(args.browsers),
                     "BENCH_LEADERS": str(args.leaders), "BENCH_PACING": str(args.pacing),
                     "BENCH_SECONDS": str(seconds)},
            )  # fmt: skip
            injector.join(timeout=60)
            balancer.stop()
            report["workers_alive"] = [w.poll() is None for w in workers]
            report["served_by"] = balancer.served
            report["serving_at_the_end"] = get_status(first.url + "/healthz") == 200
        reconciled = OUT / "reconcile-scale.json"
        prepare(DB, "reconcile", "--context", str(context), "--journal", str(journal),
                "--out", str(reconciled))  # fmt: skip
        report["submissions"] = json.loads(reconciled.read_text())
    stopped_at = next(e["t"] for e in events if e["event"] == "replica stopped")
    dashboards_after = [s for s in samples if s.start > stopped_at + 3 and s.name in REPLICA_PAGES]
    before = next(e for e in events if e["event"] == "replica reads before it stops")
    first_look = next(e for e in events if e["event"] == "replica reads before the faults")
    report.update({
        "requests": summarize(samples),
        "events": events,
        "dashboards_after_the_replica_stopped": {
            "requests": len(dashboards_after),
            "ok": sum(s.ok for s in dashboards_after),
        },
    })  # fmt: skip
    report["verdict"] = {
        "nothing acknowledged lost or doubled": bool(report["submissions"])
        and all(s["ok"] for s in report["submissions"].values()),
        "the replica served reads": before["rows_returned"] > first_look["rows_returned"] > 0
        and first_look["app_connections"] > 0,
        "dashboards answered from the primary once the replica stopped": bool(dashboards_after)
        and all(s.ok for s in dashboards_after),
        "the surviving app server answers": report["serving_at_the_end"],
        "both task workers alive": all(report["workers_alive"]),
    }
    (OUT / "scale-check.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report["verdict"], indent=1))
    print(json.dumps({k: report[k] for k in ("served_by", "dashboards_after_the_replica_stopped")},
                     indent=1))  # fmt: skip
    for event in events:
        print(event)
    return 0 if all(report["verdict"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
