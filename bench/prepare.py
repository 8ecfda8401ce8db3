"""The Django side of the benchmark, run in its own process against a perf_* database:

    python -m bench.prepare context --center gen01 --out ctx.json [--count member=30 ...]
    python -m bench.prepare queries --context ctx.json --out queries.json
    python -m bench.prepare reconcile --context ctx.json --journal DIR --out report.json

`context` picks generated logins per persona and signs them in (a session row, as the login
form would make, plus a CSRF cookie and a personal API token), so the load processes never
hash a password; `queries` counts the SQL queries of every declared page with the test client;
`reconcile` compares the submit journal of the load processes with the database."""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from bench.endpoints import ENDPOINTS, Endpoint  # noqa: E402
from bench.reconcile import Stored, format_report, key_in, read_journal, reconcile  # noqa: E402
from onsite.accounts.models import ApiToken, Role, User  # noqa: E402
from onsite.core.models import Center  # noqa: E402
from onsite.org.models import Zone  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_COUNT = 4


# --- personas ----------------------------------------------------------------------------


def persona_users(center: Center, persona: str) -> QuerySet[User]:
    users = User.objects.filter(center=center, is_active=True).order_by("username")
    if persona == "inspector":  # zone owners, who self-check them: counters' owners first
        counter = Zone.objects.filter(owner=OuterRef("pk"), area_type__code="counter")
        return (
            users.filter(owned_zones__isnull=False)
            .annotate(has_counter=Exists(counter))
            .order_by("-has_counter", "username")
            .distinct()
        )
    if persona == "staff":  # window staff who own a zone and hold no wider role
        wider = [r for r in Role.values if r != Role.STAFF]
        return (
            users.filter(role_grants__role=Role.STAFF, owned_zones__isnull=False)
            .exclude(role_grants__role__in=wider)
            .distinct()
        )
    return users.filter(role_grants__role=persona).distinct()


def persona_vars(user: User, index: int, zones: list[Zone]) -> dict[str, Any]:
    """The placeholders of the declared paths, from this person's own data: the zone they own
    (a counter first) or a zone of their unit, else one of the center's zones in turn."""
    own = sorted(
        (z for z in zones if z.owner_id == user.pk), key=lambda z: z.area_type.code != "counter"
    )
    unit = [z for z in zones if user.unit_id and z.unit_id == user.unit_id]
    zone = (own or unit or [zones[index % len(zones)]])[0] if zones else None
    return {
        "zone": zone.code if zone else "",
        "unit": user.unit.code if user.unit else "",
    }


def sign_in(user: User) -> tuple[str, str]:
    """A session as django.contrib.auth.login makes it, and a CSRF secret for the cookie."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key), secrets.token_hex(16)  # a 32-character CSRF secret


def build_context(center_code: str, counts: dict[str, int]) -> dict[str, Any]:
    center = Center.objects.get(code=center_code)
    zones = list(
        Zone.objects.filter(center=center, is_active=True)
        .select_related("area_type")
        .order_by("code")
    )
    personas: dict[str, list[dict[str, Any]]] = {"anon": [{"username": "", "vars": {}}]}
    needed = {e.persona for e in ENDPOINTS} | set(counts)
    for persona in sorted(needed - {"anon"}):
        users = list(persona_users(center, persona)[: counts.get(persona, DEFAULT_COUNT)])
        entries = []
        for index, user in enumerate(users):
            session, csrf = sign_in(user)
            _token, raw = ApiToken.issue(user=user, name="bench")
            variables = persona_vars(user, index, zones)
            if persona == "supervisor":
                variables["draft"] = open_draft(user, zones, index)
            entries.append(
                {"username": user.username, "session": session, "csrf": csrf, "token": raw,
                 "vars": variables}
            )  # fmt: skip
        personas[persona] = entries
    from onsite.standards.models import Item

    flows = {
        "filing": {
            "items": list(
                Item.objects.filter(center=center, is_active=True).values_list("code", flat=True)
            )
        },
        **inspection_flow(center),
    }
    return {
        "center": center_code,
        "personas": personas,
        "endpoints": [endpoint_state(e, personas, flows) for e in ENDPOINTS],
        "flows": flows,
        "photos": make_photos(),
    }


def inspection_flow(center: Center) -> dict[str, Any]:
    """The inspection submit is wired once the inspections pages exist."""
    try:
        resolve("/inspections/1/edit/")
        resolve("/z/x/inspect")
    except Resolver404:
        return {}
    return {"inspection": {"persona": "inspector"}}


def open_draft(user: User, zones: list[Zone], index: int) -> int | None:
    """A supervision draft on a counter for the checklist page to show (the load's own
    self-checks never resume it: another kind, another inspector)."""
    from onsite.inspections.models import Inspection
    from onsite.inspections.services import start_inspection

    counters = [z for z in zones if z.area_type.code == "counter"]
    if not counters:
        return None
    zone = counters[(index * 7) % len(counters)]
    draft = start_inspection(zone=zone, kind=Inspection.Kind.SUPERVISION, inspector=user)
    return draft.pk


def endpoint_state(
    endpoint: Endpoint, personas: dict[str, list[dict[str, Any]]], flows: dict[str, Any]
) -> dict[str, Any]:
    state: dict[str, Any] = {**endpoint.__dict__, "status": "ready", "reason": ""}
    entries = personas.get(endpoint.persona) or []
    if not entries:
        return {**state, "status": "pending", "reason": f"no {endpoint.persona} login"}
    try:
        path = endpoint.path.format(**entries[0]["vars"])
        resolve(path.split("?")[0])
    except KeyError as exc:
        return {**state, "status": "pending", "reason": f"no {exc} for {endpoint.persona}"}
    except Resolver404:
        return {**state, "status": "pending", "reason": "not built yet"}
    if endpoint.kind == "submit" and endpoint.flow not in flows:
        return {**state, "status": "pending", "reason": f"flow {endpoint.flow} not wired"}
    return state


def make_photos() -> list[str]:
    """Three phone-like JPEGs (1600×1200, ~200 kB) for photo submits."""
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(3):
        image = Image.new("RGB", (1600, 1200), (200 + n * 15, 190, 170))
        draw = ImageDraw.Draw(image)
        for i in range(0, 1600, 40):
            draw.line([(i, 0), (1600 - i, 1200)], fill=(i % 255, 80 + n * 40, 120), width=3)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        path = OUT / f"photo-{n + 1}.jpg"
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


# --- query counts --------------------------------------------------------------------------


def count_queries(context: dict[str, Any]) -> dict[str, Any]:
    """Queries per page for its persona's first login (the second request, warm)."""
    results: dict[str, Any] = {}
    for state in context["endpoints"]:
        if state["status"] != "ready" or state["kind"] == "submit":
            continue
        entry = context["personas"][state["persona"]][0]
        client = Client(raise_request_exception=False)  # an unfinished page is a 500 here
        headers: dict[str, str] = {}
        if state["kind"] == "api":
            headers["Authorization"] = f"Bearer {entry['token']}"
        elif entry.get("session"):
            client.cookies["sessionid"] = entry["session"]
        path = state["path"].format(**entry["vars"])
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        results[state["name"]] = {"queries": len(captured), "status": response.status_code}
    return results


# --- reconciliation ------------------------------------------------------------------------


def stored_filings(center: Center) -> list[Stored]:
    from onsite.standards.models import ItemFiling

    rows = (
        ItemFiling.objects.filter(center=center, reason__contains="[bench:")
        .annotate(history=Count("transitions", filter=Q(transitions__to_status="requested")))
        .values_list("pk", "reason", "history")
    )
    stored = []
    for pk, reason, history in rows:
        key = key_in(reason)
        if key:
            stored.append(Stored(key=key, object_id=str(pk), complete=history == 1,
                                 detail=f"history rows: {history}"))  # fmt: skip
    return stored


def stored_inspections(center: Center) -> list[Stored]:
    """Inspections carrying a bench marker: complete when submitted, scored, and every check
    answered; parts are their answers and photos."""
    from onsite.inspections.models import AnswerPhoto, Inspection

    photos = (
        AnswerPhoto.objects.filter(answer__inspection=OuterRef("pk"))
        .order_by()
        .values("answer__inspection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Inspection.objects.filter(center=center, note__contains="[bench:")
        .annotate(
            total=Count("answers"),
            unanswered=Count("answers", filter=Q(answers__result="")),
            photo_count=Coalesce(Subquery(photos), 0),
        )
        .values_list("pk", "note", "status", "score", "total", "unanswered", "photo_count")
    )
    stored = []
    for pk, note, status, score, total, unanswered, photo_count in rows:
        key = key_in(note)
        if not key:
            continue
        submitted = status == Inspection.Status.SUBMITTED
        stored.append(
            Stored(key=key, object_id=str(pk),
                   complete=submitted and score is not None and not unanswered,
                   detail=f"{status}, {total - unanswered}/{total} answered, {photo_count} photos",
                   parts=(("answers", total), ("photos", photo_count)), in_progress=not submitted)
        )  # fmt: skip
    return stored


STORED: dict[str, Callable[[Center], list[Stored]]] = {
    "filing": stored_filings,
    "inspection": stored_inspections,
}


def reconcile_journal(center_code: str, journal: Path) -> dict[str, Any]:
    center = Center.objects.get(code=center_code)
    attempts = read_journal(sorted(journal.glob("*.jsonl")))
    reports = {}
    for flow in sorted({a.flow for a in attempts}):
        report = reconcile(flow, attempts, STORED[flow](center))
        print(format_report(report))
        reports[flow] = report.as_dict()
    return reports


# --- command line ------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.prepare")
    sub = parser.add_subparsers(dest="command", required=True)
    ctx = sub.add_parser("context")
    ctx.add_argument("--center", required=True)
    ctx.add_argument("--out", type=Path, required=True)
    ctx.add_argument("--count", action="append", default=[], help="persona=N")
    queries = sub.add_parser("queries")
    queries.add_argument("--context", type=Path, required=True)
    queries.add_argument("--out", type=Path, required=True)
    rec = sub.add_parser("reconcile")
    rec.add_argument("--context", type=Path, required=True)
    rec.add_argument("--journal", type=Path, required=True)
    rec.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "context":
        counts = {k: int(v) for k, v in (item.split("=", 1) for item in args.count)}
        data = build_context(args.center, counts)
    elif args.command == "queries":
        data = count_queries(json.loads(args.context.read_text()))
    else:
        context = json.loads(args.context.read_text())
        data = reconcile_journal(context["center"], args.journal)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
