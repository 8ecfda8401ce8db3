"""The declared list of what `make bench` measures. Add a line when a page or endpoint lands.

`path` may hold placeholders filled from the signed-in persona's own data (see
`bench.prepare.persona_vars`): {zone} (the zone the person owns, a counter first, or one
of their unit's), {unit}, {draft} (an open supervision draft, for supervisors).
An endpoint whose path does not resolve in the current code is reported as "pending" instead
of failing, so the list can name pages that other domains are still building."""

from __future__ import annotations

from dataclasses import dataclass

# Who makes the request; each is a generated login picked by bench.prepare.
# "inspector" is the owner of a counter, who self-checks it every morning.
PERSONAS = (
    "anon", "staff", "inspector", "member", "supervisor", "leader", "office", "admin", "auditor",
)  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    persona: str
    kind: str = "page"  # page | api | submit | floor
    target_p95_ms: int | None = 150
    # Measured again on the 10-center-year database: the exponent of its growth.
    growth: bool = False
    # For kind "submit": which submission flow (bench/locustfile.py FLOWS) posts it.
    flow: str = ""
    note: str = ""


FLOOR = Endpoint("healthz", "/healthz", "anon", kind="floor", target_p95_ms=None)

ENDPOINTS: list[Endpoint] = [
    FLOOR,
    # Home pages: "my work" of window staff, the programme overview of leaders.
    Endpoint("home_staff", "/", "staff", note="my work"),
    Endpoint("home_member", "/", "member"),
    Endpoint("home_supervisor", "/", "supervisor"),
    Endpoint("home_leader", "/", "leader", growth=True),
    # What a zone's QR card opens; the inspection start page; a 20-check checklist.
    Endpoint("zone_page", "/z/{zone}/", "staff"),
    Endpoint("zone_inspect", "/z/{zone}/inspect", "inspector"),
    Endpoint("checklist", "/inspections/{draft}/edit/", "supervisor", note="20 checks"),
    # Writes, measured last. The inspection flow records its steps too (start, checklist,
    # three photos through the API); this row is the final submit.
    Endpoint(
        "inspection_submit",
        "/z/{zone}/inspect",
        "inspector",
        kind="submit",
        flow="inspection",
        target_p95_ms=1000,
        note="20 checks, 3 photos",
    ),
    Endpoint(
        "filing_submit",
        "/standards/filings/new/",
        "staff",
        kind="submit",
        flow="filing",
        target_p95_ms=1000,
        note="item filing form",
    ),
    # Lists that grow with the years.
    Endpoint("rectification_list", "/rectification/", "supervisor", growth=True),
    Endpoint("my_rectifications", "/rectification/?mine=1", "staff", growth=True),
    Endpoint("inspection_list", "/inspections/", "supervisor", growth=True),
    Endpoint("finding_list", "/inspections/findings/", "supervisor", growth=True),
    Endpoint("filing_list", "/standards/filings/", "office", growth=True),
    Endpoint("zone_list", "/org/zones/", "admin", growth=True),
    Endpoint("staff_list", "/org/staff/", "admin"),
    Endpoint("standard_list", "/standards/", "office"),
    Endpoint("notification_list", "/notifications/", "staff", growth=True),
    Endpoint("audit_list", "/audit/", "auditor", growth=True),
    # Dashboards and the programme.
    Endpoint("dashboard", "/dashboards/", "leader", target_p95_ms=300, growth=True),
    Endpoint("heat_map", "/dashboards/heatmap/", "leader", target_p95_ms=300, growth=True),
    Endpoint("scorecards", "/dashboards/scorecards/", "leader", target_p95_ms=300, growth=True),
    Endpoint("ranking", "/programme/rankings/", "leader", target_p95_ms=300, growth=True),
    Endpoint("programme", "/programme/", "leader", growth=True),
    # The JSON API (personal token).
    Endpoint("api_me", "/api/v1/accounts/me", "staff", kind="api"),
    Endpoint("api_units", "/api/v1/org/units", "admin", kind="api"),
    Endpoint("api_zones", "/api/v1/org/zones", "admin", kind="api", growth=True),
    Endpoint("api_standards", "/api/v1/standards/", "office", kind="api"),
    Endpoint("api_filings", "/api/v1/standards/filings", "office", kind="api", growth=True),
    Endpoint("api_notifications", "/api/v1/notifications/", "staff", kind="api"),
    Endpoint("api_inspections", "/api/v1/inspections/", "supervisor", kind="api", growth=True),
    Endpoint("api_findings", "/api/v1/inspections/findings", "supervisor", kind="api", growth=True),
    Endpoint("api_rectifications", "/api/v1/rectification/", "supervisor", kind="api", growth=True),
]


def by_name(name: str) -> Endpoint:
    for endpoint in ENDPOINTS:
        if endpoint.name == name:
            return endpoint
    raise KeyError(name)
