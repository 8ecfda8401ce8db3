"""The machinery shared by `bench.run` and `bench.scenarios`: benchmark databases (always
named perf_*), manage.py calls, a gunicorn server on 127.0.0.1 and a locust process."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = "perf_"
# One secret for every process of a run: sessions made by bench.prepare must be valid in
# the gunicorn workers (the session hash is salted with it).
SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def _check_name(name: str) -> None:
    if not name.startswith(DB_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"Benchmark databases are named {DB_PREFIX}*: {name!r}")


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(database_url("postgres"), autocommit=True)


def drop_database(name: str) -> None:
    _check_name(name)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, *, template: str | None = None) -> None:
    """Drops and creates `name` (from `template` when given: a fast file copy)."""
    _check_name(name)
    drop_database(name)
    with _admin() as conn:
        if template:
            _check_name(template)
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def server_kind(threads: int) -> str:
    return f"gthread workers × {threads} threads" if threads > 1 else "sync workers"


def analyze_database(name: str) -> None:
    """Planner statistics after a bulk load, as autovacuum would gather them a while later
    on a live server; without them PostgreSQL plans for empty tables. Copies made from the
    database as a template keep them."""
    _check_name(name)
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def database_label(name: str) -> str | None:
    """The fingerprint stored on a database by `label_database`, or None if it is missing."""
    _check_name(name)
    with _admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if row is None else (row[0] or "")


def label_database(name: str, label: str) -> None:
    _check_name(name)
    with _admin() as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{label}'")


def data_fingerprint(*parts: object) -> str:
    """Changes whenever the schema or a generator changes: a database generated with another
    fingerprint is regenerated, never reused."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode())
    sources = sorted(ROOT.glob("onsite/*/migrations/*.py")) + sorted(
        ROOT.glob("onsite/*/generate.py")
    )
    sources.append(ROOT / "onsite/site/management/commands/generate_data.py")
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def app_env(db: str, **extra: str) -> dict[str, str]:
    """Production-like settings for every process that touches the benchmark database."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(db),
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
            "MEDIA_ROOT": str(OUT / "media"),
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def manage(db: str, *args: str, quiet: bool = False) -> str:
    """Runs manage.py against the benchmark database; returns its output."""
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=app_env(db),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode})")
    if not quiet:
        sys.stdout.write(result.stdout)
    return result.stdout


def prepare(db: str, *args: str) -> None:
    """Runs a bench.prepare step (Django in its own process) against the database."""
    result = subprocess.run(  # noqa: S603 - our own module
        [PYTHON, "-m", "bench.prepare", *args], env=app_env(db), cwd=ROOT, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.prepare {' '.join(args)} failed ({result.returncode})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get_status(url: str, *, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return 0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    workers: int

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: children of the master (read from /proc)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                children.append(int(stat.parent.name))
        return sorted(children)


@contextmanager
def gunicorn(
    db: str,
    *,
    workers: int,
    threads: int = 2,
    log_name: str = "gunicorn",
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Serves the app from the benchmark database on a free port of 127.0.0.1 (`env` adds
    settings to the app's environment)."""
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    log_file = (OUT / f"{log_name}.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - gunicorn from our venv
        [
            str(VENV_BIN / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            # As docs/deployment.md runs it: threaded workers, so a short page does not
            # wait behind a photo being re-encoded in the same process.
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1
              else ["--worker-class", "sync"]),
            "--timeout", "60", "--graceful-timeout", "5",
            # The app is imported once and forked: workers start (and restart) at once.
            "--preload", "--error-logfile", "-", "--log-level", "warning",
        ],
        env={**app_env(db), **(env or {})},
        cwd=ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    server = Server(process=process, url=f"http://127.0.0.1:{port}", workers=workers)
    try:
        deadline = time.monotonic() + 120
        while get_status(server.url + "/healthz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log_file.name}")
            time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_file.close()


@dataclass
class Sample:
    name: str
    start: float  # seconds since the epoch
    ms: float
    ok: bool
    status: int


def locust(
    *,
    host: str,
    context: Path,
    classes: Sequence[str],
    users: int,
    seconds: float,
    tag: str,
    spawn_rate: float | None = None,
    extra_files: Sequence[str] = (),
    env: dict[str, str] | None = None,
    stop_timeout: float = 15,
) -> list[Sample]:
    """Runs locust headless in its own process against 127.0.0.1 and returns every request it
    made (our own listener records exact times; locust's CSV rounds them)."""
    if not host.startswith("http://127.0.0.1:"):
        raise ValueError("Load goes to 127.0.0.1 only.")
    samples_path = OUT / f"samples-{tag}.jsonl"
    samples_path.unlink(missing_ok=True)
    files = ",".join([str(ROOT / "bench" / "locustfile.py"), *extra_files])
    command = [
        str(VENV_BIN / "locust"), "-f", files, "--headless", "--host", host,
        "--users", str(users), "--spawn-rate", str(spawn_rate or users),
        "--run-time", f"{max(1, round(seconds))}s", "--stop-timeout", str(round(stop_timeout)),
        "--only-summary", "--loglevel", "WARNING", "--skip-log-setup", *classes,
    ]  # fmt: skip
    process_env = dict(os.environ)
    process_env.update(
        {
            "BENCH_CONTEXT": str(context),
            "BENCH_SAMPLES": str(samples_path),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
    )
    with (OUT / f"locust-{tag}.log").open("wb") as output:
        subprocess.run(  # noqa: S603 - locust from our venv
            command, env=process_env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            check=False, timeout=seconds + stop_timeout + 120,
        )  # fmt: skip
    return read_samples(samples_path)


def read_samples(path: Path) -> list[Sample]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        data = json.loads(line)
        rows.append(Sample(data["name"], data["t"], data["ms"], data["ok"], data["status"]))
    return rows
