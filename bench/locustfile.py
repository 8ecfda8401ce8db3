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


class Outcome:
    """How one try of a flow ended: the HTTP status of the step that ended it (0: no
    answer), the saved object's id if the server confirmed it, and the parts sent."""

    def __init__(self, status: int, object_id: str | None = None, **parts: int) -> None:
        self.status = status
        self.object_id = object_id
        self.parts = parts

    @property
    def retry(self) -> bool:
        """No answer or a server error: a phone tries again with the same keys."""
        return self.object_id is None and (self.status == 0 or self.status >= 500)


class Flow:
    """One submission as a phone makes it, step by step; each step carries a key derived
    from the submission key, so a retried or doubled flow must come to the same object."""

    name: ClassVar[str]
    persona: ClassVar[str]
    steps: ClassVar[int] = 1

    def run(self, user: FastHttpUser, login: Login, key: str, name: str) -> Outcome:
        raise NotImplementedError


class FilingFlow(Flow):
    """An item filing (报备): one form post, redirected to the new filing."""

    name = "filing"
    persona = "staff"
    path = "/standards/filings/new/"
    saved = re.compile(r"/standards/filings/(\d+)/$")

    def run(self, user: FastHttpUser, login: Login, key: str, name: str) -> Outcome:
        today = datetime.date.today()
        items = CONTEXT["flows"]["filing"]["items"]
        body = urlencode(
            {
                "zone": login.vars["zone"],  # codes, as the API takes them
                "item": RNG.choice(items),
                "quantity": 1,
                "reason": f"基准测试报备 {marker(key)}",
                "valid_from": today.isoformat(),
                "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
                "submission_key": key,
                "csrfmiddlewaretoken": login.csrf,
            }
        )
        status, found = _post(user, login, self.path, body, FORM, name, self.saved)
        return Outcome(status, found)


class InspectionFlow(Flow):
    """A self-check of the inspector's counter as the phone page does it: start from the
    zone's QR page, open the checklist, upload a photo to each check that needs one (the
    page's script uses the API), answer every check and submit."""

    name = "inspection"
    persona = "inspector"
    steps = 6
    started = re.compile(r"/inspections/(\d+)/edit/$")
    saved = re.compile(r"/inspections/(\d+)/$")
    # A check's card, and the mark of a check that needs a photo ("· 📷 photo required").
    card = re.compile(r'data-answer="(\d+)" data-testid="check"')
    photo_mark = '· <i class="bi bi-camera"></i>'
    version = re.compile(r'name="version" value="(\d+)"')

    def run(self, user: FastHttpUser, login: Login, key: str, name: str) -> Outcome:
        zone = login.vars["zone"]
        body = urlencode(
            {
                "kind": "self_check",
                "submission_key": f"{key}-start",
                "csrfmiddlewaretoken": login.csrf,
            }
        )
        status, draft = _post(
            user, login, f"/z/{zone}/inspect", body, FORM, "inspection_start", self.started
        )
        if draft is None:
            return Outcome(status)
        with user.client.get(
            f"/inspections/{draft}/edit/",
            name="inspection_checklist",
            allow_redirects=False,
            catch_response=True,
        ) as page:
            if page.status_code == 302:  # already submitted (a twin tap won): that is the save
                page.success()
                location = page.headers.get("Location", "") if page.headers else ""
                done = self.saved.search(location)
                return Outcome(302, done.group(1) if done else None)
            if page.status_code != 200 or not page.text:
                page.failure(f"HTTP {page.status_code}")
                return Outcome(int(page.status_code or 0))
            html = page.text
        starts = list(self.card.finditer(html))
        ends = [m.start() for m in starts[1:]] + [len(html)]
        cards = [(m.group(1), html[m.end() : end]) for m, end in zip(starts, ends, strict=True)]
        version = self.version.search(html)
        if not cards or version is None:
            return Outcome(200)
        needs_photo = [answer for answer, text in cards if self.photo_mark in text]
        for index, answer in enumerate(needs_photo):
            status = self._photo(user, login, answer, f"{key}-p{index}")
            if status != 200:
                return Outcome(status)
        fields: list[tuple[str, str]] = [
            ("csrfmiddlewaretoken", login.csrf), ("version", version.group(1)),
            ("save_key", f"{key}-save"), ("submit_key", f"{key}-submit"), ("action", "submit"),
            ("note", f"基准测试检查 {marker(key)}"),
        ]  # fmt: skip
        failed = RNG.randrange(len(cards))
        for index, (answer, _text) in enumerate(cards):
            fields.append((f"a{answer}-result", "fail" if index == failed else "pass"))
            if index == failed:
                fields += [(f"a{answer}-severity", "general"), (f"a{answer}-note", "桌面有杂物")]
        status, found = _post(
            user, login, f"/inspections/{draft}/edit/", urlencode(fields), FORM, name, self.saved
        )
        return Outcome(status, found, answers=len(cards), photos=len(needs_photo))

    def _photo(self, user: FastHttpUser, login: Login, answer: str, key: str) -> int:
        body, content_type = encode_multipart_formdata(
            [("photo", ("counter.jpg", PHOTOS[hash(key) % len(PHOTOS)], "image/jpeg"))]
        )
        headers = {"Content-Type": content_type, "Idempotency-Key": key, "X-CSRFToken": login.csrf}
        with user.client.post(
            f"/api/v1/inspections/answers/{answer}/photos", data=cast(str, body),
            name="inspection_photo", headers=headers, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return int(response.status_code or 0)


FORM = "application/x-www-form-urlencoded"


def _post(
    user: FastHttpUser,
    login: Login,
    path: str,
    body: str,
    content_type: str,
    name: str,
    saved: re.Pattern[str],
) -> tuple[int, str | None]:
    """A form post whose success is a redirect to the saved object: (status, its id)."""
    headers = {"Content-Type": content_type, "X-CSRFToken": login.csrf}
    with user.client.post(
        path, data=body, name=name, headers=headers, allow_redirects=False, catch_response=True
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


def submit(
    user: FastHttpUser, flow: Flow, login: Login, *, key: str, name: str, tap: int = 1
) -> None:
    """One submission: the whole flow again with the same keys while there is no answer or
    a server error (backing off), then journalled with what the client was told."""
    statuses: list[int] = []
    outcome = Outcome(0)
    # Written first, so a submit cut short by the end of the run still counts as sent.
    JOURNAL.write(
        {"key": key, "flow": flow.name, "user": login.username, "saved": False, "tries": 0,
         "tap": tap, "t": time.time()}
    )  # fmt: skip
    for attempt in range(MAX_TRIES):
        began = time.perf_counter()
        outcome = flow.run(user, login, key, name)
        statuses.append(outcome.status)
        if flow.steps > 1:  # the whole flow as the inspector lives it, as a request of its own
            events.request.fire(  # type: ignore[no-untyped-call]
                request_type="FLOW", name=f"{flow.name}_flow", response_length=0,
                response_time=(time.perf_counter() - began) * 1000, context={},
                exception=None if outcome.object_id else RuntimeError("not saved"),
            )  # fmt: skip
        if not outcome.retry:
            break
        time.sleep(min(8.0, 0.5 * 2**attempt))
    JOURNAL.write(
        {
            "key": key, "flow": flow.name, "user": login.username,
            "saved": outcome.object_id is not None, "object_id": outcome.object_id,
            "tries": len(statuses), "statuses": statuses, "tap": tap, "parts": outcome.parts,
            "t": time.time(),
        }
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
    """Submits in a burst (the shape brings BENCH_HIGH users at once); BENCH_DOUBLE of them
    are double taps (two runs of one submission at once), and a short client timeout makes
    slow answers retried while the first is still running."""

    # Phones that each submit an inspection every BENCH_PACING/2 to BENCH_PACING seconds.
    wait_time = between(
        float(os.environ.get("BENCH_PACING", "30")) / 2, float(os.environ.get("BENCH_PACING", "30"))
    )
    network_timeout = float(os.environ.get("BENCH_CLIENT_TIMEOUT", "10"))
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
