"""Every standards write through both doors, the page and its API operation: the same state
and audit row for an allowed person, the same audited 403 for a refused one, and the same
refusal for a state the act does not fit (issue 15: one front door per action)."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape

from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.core.tests.parity import call_api, denials, post_page, through
from onsite.standards.models import Clause, ItemFiling, ItemRule, StandardVersion
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=30)


@pytest.fixture
def world(center, published, draft, office_user):
    area, version = published
    owner = UserFactory(center=center, username="owner1", roles=["staff"])
    zone = ZoneFactory(center=center, code="w01-c", area_type=area, owner=owner)
    plant = ItemFactory(center=center, code="plant", name="绿植")
    filing = ItemFilingFactory(zone=zone, item=plant, filed_by=owner)
    clause = draft.clauses.get()
    rule = draft.item_rules.get(item__code="cup")
    return SimpleNamespace(
        area=area, published=version, draft=draft, owner=owner, zone=zone, plant=plant,
        filing=filing, clause=clause, rule=rule, published_clause=version.clauses.get(),
    )  # fmt: skip


def _settings(w, **extra):
    return {"width_mm": 1800, "depth_mm": 700, "default_edge_distance_mm": 50, "note": "宽一点",
            "row_version": w.draft.version, **extra}  # fmt: skip


def _clause(w, **extra):
    return {"code": "C9", "pillar": "safety", "position": 2, "text": "理线", "check_method": "",
            "weight": 1, "max_points": 10, **extra}  # fmt: skip


def _rule(w, **extra):
    return {"kind": "allowed", "max_quantity": 2, "container": "", "marking": "none",
            "marking_colour": "", "note": "", "position": 3, **extra}  # fmt: skip


def _filing(w):
    """The page and the API take the same body: zone and item by code."""
    return {"zone": w.zone.code, "item": w.plant.code, "quantity": 1,
            "reason": "美化环境", "valid_from": TODAY.isoformat(), "valid_to": LATER.isoformat(),
            "submission_key": "k1"}  # fmt: skip


def _versions(w):
    return list(StandardVersion.objects.filter(standard__area_type=w.area).values_list("number", "status", "version", "width_mm").order_by("number"))  # fmt: skip


def _clauses(w):
    return list(Clause.objects.filter(standard_version=w.draft).values_list("code", "text", "pillar").order_by("code"))  # fmt: skip


def _rules(w):
    return list(ItemRule.objects.filter(standard_version=w.draft).values_list("item__code", "kind", "max_quantity").order_by("item__code"))  # fmt: skip


def _filings(w):
    return list(ItemFiling.objects.values_list("zone__code", "item__code", "quantity", "status").order_by("pk"))  # fmt: skip


@dataclass
class Act:
    name: str
    page: tuple[Any, Any]  # w -> url, w -> form data
    api: tuple[str, Any, Any]  # method, w -> path, w -> body
    audit: str
    state: Any
    allowed: str = "office_user"
    refused: str = "staff_user"
    conflict: Any = None  # (w -> page url, w -> page data, w -> api path, w -> api body, code)


ACTS = [
    Act(
        "revision-start",
        (lambda w: "/standards/area-types/counter/revise/", lambda w: {"note": "再改"}),
        ("post", lambda w: "/area-types/counter/revisions", lambda w: {"note": "再改"}),
        "standards.revision_noted",
        _versions,
    ),
    Act(
        "version-settings",
        (lambda w: f"/standards/versions/{w.draft.pk}/settings/", _settings),
        ("put", lambda w: f"/versions/{w.draft.pk}", _settings),
        "standards.version_changed",
        _versions,
        conflict=(lambda w: f"/standards/versions/{w.draft.pk}/settings/", lambda w: _settings(w, row_version=99),
                  lambda w: f"/versions/{w.draft.pk}", lambda w: _settings(w, row_version=99), "stale"),
    ),
    Act(
        "version-publish",
        (lambda w: f"/standards/versions/{w.draft.pk}/publish/", lambda w: {"row_version": w.draft.version}),
        ("post", lambda w: f"/versions/{w.draft.pk}/publish", lambda w: {"row_version": w.draft.version}),
        "standards.version_published",
        _versions,
        conflict=(lambda w: f"/standards/versions/{w.published.pk}/publish/", lambda w: {"row_version": w.published.version},
                  lambda w: f"/versions/{w.published.pk}/publish", lambda w: {"row_version": w.published.version}, "stale"),
    ),
    Act(
        "clause-add",
        (lambda w: f"/standards/versions/{w.draft.pk}/clauses/new/", _clause),
        ("post", lambda w: f"/versions/{w.draft.pk}/clauses", _clause),
        "standards.clause_added",
        _clauses,
        conflict=(lambda w: f"/standards/versions/{w.published.pk}/clauses/new/", _clause,
                  lambda w: f"/versions/{w.published.pk}/clauses", _clause, "not_draft"),
    ),
    Act(
        "clause-change",
        (lambda w: f"/standards/clauses/{w.clause.pk}/edit/", lambda w: _clause(w, code="C1", row_version=w.clause.version)),
        ("put", lambda w: f"/clauses/{w.clause.pk}", lambda w: _clause(w, code="C1", row_version=w.clause.version)),
        "standards.clause_changed",
        _clauses,
        conflict=(lambda w: f"/standards/clauses/{w.published_clause.pk}/edit/", lambda w: _clause(w, row_version=1),
                  lambda w: f"/clauses/{w.published_clause.pk}", lambda w: _clause(w, row_version=1), "not_draft"),
    ),
    Act(
        "clause-delete",
        (lambda w: f"/standards/clauses/{w.clause.pk}/delete/", lambda w: {"row_version": w.clause.version}),
        ("delete", lambda w: f"/clauses/{w.clause.pk}?row_version={w.clause.version}", lambda w: None),
        "standards.clause_removed",
        _clauses,
    ),
    Act(
        "rule-add",
        (lambda w: f"/standards/versions/{w.draft.pk}/rules/new/", lambda w: _rule(w, item=w.plant.pk)),
        ("post", lambda w: f"/versions/{w.draft.pk}/item-rules", lambda w: _rule(w, item="plant")),
        "standards.item_rule_added",
        _rules,
    ),
    Act(
        "rule-change",
        (lambda w: f"/standards/rules/{w.rule.pk}/edit/", lambda w: _rule(w, item=w.rule.item_id, row_version=w.rule.version)),
        ("put", lambda w: f"/item-rules/{w.rule.pk}", lambda w: _rule(w, item="cup", row_version=w.rule.version)),
        "standards.item_rule_changed",
        _rules,
    ),
    Act(
        "rule-delete",
        (lambda w: f"/standards/rules/{w.rule.pk}/delete/", lambda w: {"row_version": w.rule.version}),
        ("delete", lambda w: f"/item-rules/{w.rule.pk}?row_version={w.rule.version}", lambda w: None),
        "standards.item_rule_removed",
        _rules,
    ),
    Act(
        "filing-request",
        (lambda w: "/standards/filings/new/", lambda w: _filing(w)),
        ("post", lambda w: "/filings", lambda w: _filing(w)),
        "standards.filing_requested",
        _filings,
        allowed="owner",
    ),
    Act(
        "filing-review",
        (lambda w: f"/standards/filings/{w.filing.pk}/review/", lambda w: {"decision": "approve", "comment": "", "row_version": w.filing.version}),
        ("post", lambda w: f"/filings/{w.filing.pk}/review", lambda w: {"decision": "approve", "comment": "", "row_version": w.filing.version}),
        "standards.filing_approved",
        _filings,
    ),
    Act(
        "filing-withdraw",
        (lambda w: f"/standards/filings/{w.filing.pk}/withdraw/", lambda w: {"row_version": w.filing.version}),
        ("post", lambda w: f"/filings/{w.filing.pk}/withdraw", lambda w: {"row_version": w.filing.version}),
        "standards.filing_withdrawn",
        _filings,
        allowed="owner",
        refused="supervisor",
    ),
]  # fmt: skip

# Writes with a page and no API operation, and why.
PAGE_ONLY = {
    "/standards/area-types/new/": "area types are set up once, on the page",
    "/standards/versions/{draft}/discard/": "a draft is thrown away on the page that shows it",
    "/standards/import/": "a workbook upload checked on the page",
    "/standards/items/new/": "the item catalogue is kept on its page",
}


def _user(request, world, name):
    return world.owner if name == "owner" else request.getfixturevalue(name)


def _both(user, act, world, page=None, api=None):
    url, data = page or (act.page[0](world), act.page[1](world))
    method = act.api[0]
    path, body = api or (act.api[1](world), act.api[2](world))
    state = lambda: act.state(world)  # noqa: E731
    through_page = through(lambda: post_page(user, url, data, follow=True), state)
    through_api = through(lambda: call_api(user, method, f"/api/v1/standards{path}", body), state)
    return through_page, through_api


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_an_allowed_person_gets_the_same_result_through_both_doors(request, world, act):
    user = _user(request, world, act.allowed)
    (page, page_audit, page_state), (api, api_audit, api_state) = _both(user, act, world)
    assert page.redirect_chain, page.content.decode()[-1500:]
    assert api.status_code == 200, api.content
    assert page_state == api_state
    assert page_state != act.state(world), "the act changed something"
    assert act.audit in page_audit
    assert act.audit in api_audit


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_a_refused_person_gets_the_same_audited_403_through_both_doors(request, world, act):
    user = _user(request, world, act.refused)
    (page, page_audit, page_state), (api, api_audit, api_state) = _both(user, act, world)
    assert page.status_code == 403
    assert page["Onsite-Refusal"] == "not_allowed"
    assert api.status_code == 403
    assert api.json()["code"] == "not_allowed"
    assert page_audit == api_audit == ["access.denied"]
    assert page_state == api_state == act.state(world), "nothing was written"


@pytest.mark.parametrize("act", [act for act in ACTS if act.conflict], ids=lambda act: act.name)
def test_a_state_the_act_does_not_fit_is_refused_alike(request, world, act):
    user = _user(request, world, act.allowed)
    page_url, page_data, api_path, api_body, code = act.conflict
    (page, _a, page_state), (api, _b, api_state) = _both(
        user, act, world,
        page=(page_url(world), page_data(world)), api=(api_path(world), api_body(world)),
    )  # fmt: skip
    assert api.status_code == 409
    assert api.json()["code"] == code
    assert escape(api.json()["detail"]) in page.content.decode(), "the page says the same"
    assert page_state == api_state == act.state(world)


def test_deciding_a_decided_filing_is_refused_alike(office_user, world):
    world.filing.status = ItemFiling.Status.APPROVED
    world.filing.save()
    act = next(act for act in ACTS if act.name == "filing-review")
    (page, _a, _s), (api, _b, _t) = _both(office_user, act, world)
    assert api.status_code == 409
    assert api.json()["code"] == "wrong_state"
    assert escape(api.json()["detail"]) in page.content.decode()


@pytest.mark.parametrize("url", PAGE_ONLY, ids=lambda url: url)
def test_page_only_writes_refuse_alike_too(staff_user, world, url):
    before = denials()
    response = post_page(staff_user, url.format(draft=world.draft.pk))
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert denials() == before + 1
