"""Load for `make bench` and the scenarios; run by bench.server.locust in its own process.

Everything comes from the context file that bench.prepare wrote (BENCH_CONTEXT): signed-in
logins per persona, the declared endpoints with their state, the submit flows. Every request
is recorded with its exact time (BENCH_SAMPLES) and every submit in the journal
(BENCH_JOURNAL) that the reconciler compares with the database.

User classes:
- EndpointUser: closed loop on one endpoint (BENCH_ENDPOINT), for the per-endpoint figures;
- Inspector: submits one inspection (or, until inspections exist, one item filing) per
  BENCH_PACING seconds, with retries; Browser: window staff reading their pages;
  Leader: dashboards; Burster: rapid submits with double taps (BENCH_DOUBLE) and retries."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, constant_pacing, events, task
from locust.env import Environment
from urllib3 import encode_multipart_formdata

from bench.reconcile import marker

CONTEXT: dict[str, Any] = (
    json.loads(Path(os.environ["BENCH_CONTEXT"]).read_text())
    if os.environ.get("BENCH_CONTEXT")
    else {"personas": {}, "endpoints": [], "flows": {}, "photos": []}
)
ENDPOINTS = {state["name"]: state for state in CONTEXT["endpoints"]}
READY = [state for state in CONTEXT["endpoints"] if state["status"] == "ready"]
MAX_TRIES = int(os.environ.get("BENCH_MAX_TRIES", "6"))
RNG = random.Random()  # noqa: S311 - spreads load, nothing secret


# --- recording -----------------------------------------------------------------------------

_samples: list[dict[str, Any]] = []


def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    response: Any = None,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **_kwargs: Any,
) -> None:
    status = int(getattr(response, "status_code", 0) or 0)
    _samples.append(
        {"name": name, "t": start_time or time.time(), "ms": response_time,
         "ok": exception is None, "status": status}
    )  # fmt: skip


def _dump(environment: Environment, **_kwargs: Any) -> None:
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        with Path(path).open("a") as out:
            out.writelines(json.dumps(sample) + "\n" for sample in _samples)


events.request.add_listener(_record)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_dump)  # type: ignore[no-untyped-call]


class Journal:
    """One line per submit (after its retries): what the client was told."""

    def __init__(self) -> None:
        path = os.environ.get("BENCH_JOURNAL")
        self.file = Path(path).open("a") if path else None  # noqa: SIM115 - kept open

    def write(self, entry: dict[str, Any]) -> None:
        if self.file is not None:
            self.file.write(json.dumps(entry) + "\n")
            self.file.flush()


JOURNAL = Journal()


# --- logins --------------------------------------------------------------------------------

_turns: dict[str, itertools.count[int]] = {}


class Login:
    def __init__(self, persona: str) -> None:
        entries = CONTEXT["personas"].get(persona) or [{"username": "", "vars": {}}]
        turn = next(_turns.setdefault(persona, itertools.count()))
        entry = entries[turn % len(entries)]
        self.persona = persona
        self.username: str = entry["username"]
        self.session: str = entry.get("session", "")
        self.csrf: str = entry.get("csrf", "")
        self.token: str = entry.get("token", "")
        self.vars: dict[str, Any] = entry["vars"]

    def attach(self, user: FastHttpUser) -> None:
        """Puts the session and CSRF cookies in the user's cookie jar (cookies the server
        sets later, such as messages, then travel with them)."""
        host = user.host.split("//", 1)[1].split(":", 1)[0] if user.host else "127.0.0.1"
        for name, value in (("sessionid", self.session), ("csrftoken", self.csrf)):
            if value:
                user.client.cookiejar.set_cookie(_cookie(name, value, host))


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True,
        secure=False, expires=None, discard=True, comment=None, comment_url=None, rest={},
    )  # fmt: skip


def visit(user: FastHttpUser, state: dict[str, Any], login: Login) -> None:
    """A GET of a declared page or endpoint; anything but 200 counts as an error."""
    headers = {"Authorization": f"Bearer {login.token}"} if state["kind"] == "api" else {}
    path = state["path"].format(**login.vars)
    with user.client.get(
        path, name=state["name"], headers=headers, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


# --- submit flows ------------------------------------------------------------------------


class Flow:
    """Posts one submission the way its form does and reads the saved object's id from the
    answer. `post` returns (HTTP status, id or None); status 0 means no answer."""

    name: ClassVar[str]
    persona: ClassVar[str]

    def post(self, user: FastHttpUser, login: Login, key: str, name: str) -> tuple[int, str | None]:
        raise NotImplementedError


class FilingFlow(Flow):
    """An item filing (报备): the interim write path until the inspection submit exists."""

    name = "filing"
    persona = "staff"
    path = "/standards/filings/new/"
    saved = re.compile(r"/standards/filings/(\d+)/$")

    def post(self, user: FastHttpUser, login: Login, key: str, name: str) -> tuple[int, str | None]:
        today = datetime.date.today()
        items = CONTEXT["flows"]["filing"]["items"]
        body = urlencode(
            {
                "zone": login.vars["zone_id"], "item": RNG.choice(items), "quantity": 1,
                "reason": f"基准测试报备 {marker(key)}",
                "valid_from": today.isoformat(),
                "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
                "submission_key": key, "csrfmiddlewaretoken": login.csrf,
            }
        )  # fmt: skip
        return _post(user, self.path, body, "application/x-www-form-urlencoded", name, self.saved)


class InspectionFlow(Flow):
    """An inspection of 20 checks with 3 photos, posted as the checklist form does; wired
    when the inspections domain lands (see docs/performance.md)."""

    name = "inspection"
    persona = "supervisor"

    def post(self, user: FastHttpUser, login: Login, key: str, name: str) -> tuple[int, str | None]:
        spec = CONTEXT["flows"]["inspection"]
        fields: list[tuple[str, Any]] = [(k, str(v)) for k, v in spec["fields"].items()]
        fields += [("submission_key", key), ("csrfmiddlewaretoken", login.csrf)]
        fields.append((spec["note_field"], f"基准测试检查 {marker(key)}"))
        for answer in spec["answers"]:
            fields += [(k, str(v)) for k, v in answer.items()]
        for index, path in enumerate(CONTEXT["photos"][: spec.get("photos", 3)]):
            field = spec["photo_field"].format(n=index)
            fields.append((field, (Path(path).name, PHOTOS[index], "image/jpeg")))
        body, content_type = encode_multipart_formdata(fields)
        path = spec["path"].format(**login.vars)
        return _post(user, path, body, content_type, name, re.compile(spec["saved"]))


def _post(
    user: FastHttpUser,
    path: str,
    body: str | bytes,
    content_type: str,
    name: str,
    saved: re.Pattern[str],
) -> tuple[int, str | None]:
    # Bytes (multipart photos) go through to the HTTP client as they are.
    payload = cast(str, body)
    headers = {"Content-Type": content_type}
    with user.client.post(
        path, data=payload, name=name, headers=headers, allow_redirects=False, catch_response=True
    ) as response:
        status = int(response.status_code or 0)
        found = saved.search(response.headers.get("Location", "")) if response.headers else None
        if status in (301, 302, 303) and found:
            response.success()
            return status, found.group(1)
        response.failure(f"HTTP {status}: not saved")
        return status, None


FLOWS: dict[str, Flow] = {flow.name: flow for flow in (FilingFlow(), InspectionFlow())}
PHOTOS = [Path(p).read_bytes() for p in CONTEXT.get("photos", [])]


def submit_flow() -> Flow:
    wanted = os.environ.get("BENCH_FLOW", "")
    ready = [name for name in ("inspection", "filing") if name in CONTEXT["flows"]]
    return FLOWS[wanted or (ready[0] if ready else "filing")]


def submit(user: FastHttpUser, flow: Flow, login: Login, *, key: str, name: str, tap: int = 1) -> None:  # fmt: skip
    """One submit as a phone makes it: retried with the same key while there is no answer
    or a server error (backing off), then journalled with what the client was told."""
    statuses: list[int] = []
    object_id = None
    for attempt in range(MAX_TRIES):
        status, object_id = flow.post(user, login, key, name)
        statuses.append(status)
        if object_id or (status and status < 500 and status != 429):
            break
        time.sleep(min(8.0, 0.5 * 2**attempt))
    JOURNAL.write(
        {"key": key, "flow": flow.name, "user": login.username, "saved": object_id is not None,
         "object_id": object_id, "tries": len(statuses), "statuses": statuses, "tap": tap,
         "t": time.time()}
    )  # fmt: skip


# --- users ---------------------------------------------------------------------------------


class EndpointUser(FastHttpUser):
    """Closed loop on one declared endpoint: its latency and throughput at fixed concurrency."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.state = ENDPOINTS[os.environ.get("BENCH_ENDPOINT", "healthz")]
        flow = FLOWS.get(self.state.get("flow") or "")
        self.flow = flow
        self.login = Login(self.state["persona"])
        self.login.attach(self)

    @task
    def hit(self) -> None:
        if self.flow is not None:
            submit(self, self.flow, self.login, key=uuid.uuid4().hex, name=self.state["name"])
        else:
            visit(self, self.state, self.login)


class Inspector(FastHttpUser):
    """Morning round: one inspection (20 checks, 3 photos) per BENCH_PACING seconds."""

    fixed_count = int(os.environ.get("BENCH_INSPECTORS", "0")) or 0
    wait_time = constant_pacing(float(os.environ.get("BENCH_PACING", "60")))
    network_timeout = 20.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.flow = submit_flow()
        self.login = Login(self.flow.persona)
        self.login.attach(self)
        # Inspectors do not all start on the same second.
        time.sleep(RNG.uniform(0, float(os.environ.get("BENCH_PACING", "60"))))

    @task
    def inspect(self) -> None:
        submit(self, self.flow, self.login, key=uuid.uuid4().hex, name=f"{self.flow.name}_submit")


class _Reader(FastHttpUser):
    abstract = True
    personas: ClassVar[tuple[str, ...]] = ()
    network_timeout = 20.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.pages = [s for s in READY if s["persona"] in self.personas and s["kind"] != "submit"]
        self.logins = {p: Login(p) for p in self.personas}
        # One person per user: every persona's login shares the jar, so keep one.
        self.login = self.logins[self.personas[0]]
        self.login.attach(self)

    @task
    def read(self) -> None:
        if self.pages:
            state = RNG.choice(self.pages)
            visit(self, state, self.logins[state["persona"]])


class Browser(_Reader):
    """Window staff looking at their work, their zone and notifications."""

    fixed_count = int(os.environ.get("BENCH_BROWSERS", "0")) or 0
    personas = ("staff",)
    wait_time = between(2, 8)


class Leader(_Reader):
    """Leaders on the dashboards."""

    fixed_count = int(os.environ.get("BENCH_LEADERS", "0")) or 0
    personas = ("leader",)
    wait_time = between(5, 15)


class Burster(FastHttpUser):
    """Rapid submits; BENCH_DOUBLE of them are double taps (two posts of one key at once),
    and a short client timeout makes slow answers retried while the first is still running."""

    wait_time = between(1, 3)
    network_timeout = float(os.environ.get("BENCH_CLIENT_TIMEOUT", "5"))
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.flow = submit_flow()
        self.login = Login(self.flow.persona)
        self.login.attach(self)
        self.double = float(os.environ.get("BENCH_DOUBLE", "0.1"))

    @task
    def tap(self) -> None:
        key = uuid.uuid4().hex
        name = f"{self.flow.name}_submit"
        if RNG.random() < self.double:
            # locust patches threads into greenlets: both taps are in flight at once.
            taps = [
                threading.Thread(
                    target=submit,
                    args=(self, self.flow, self.login),
                    kwargs={"key": key, "name": name, "tap": n},
                )
                for n in (1, 2)
            ]
            for thread in taps:
                thread.start()
            for thread in taps:
                thread.join()
        else:
            submit(self, self.flow, self.login, key=key, name=name)
