"""The authorization policy: for every page, who may open it. This table is the declared
intent; `onsite/core/tests/test_authz_matrix.py` walks every URL as every role and fails
when the code disagrees with it, or when a URL has no entry here.

The JSON API (/api/v1/) is not listed: every operation there needs a signed-in user or a
token (401 otherwise), scopes to the caller's center, and is fuzzed by schemathesis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from onsite.accounts.models import Role


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] | None  # None: any signed-in user (or anyone, when public)
    write: bool = False  # a cross-center viewer is refused even with a listed role
    public: bool = False  # no sign-in needed
    # Listed roles pass the gate, then see only their own objects (e.g. zones they own).
    own: bool = False


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def read(allowed: frozenset[str]) -> Access:
    return Access(roles=allowed)


def write(allowed: frozenset[str], *, own: bool = False) -> Access:
    return Access(roles=allowed, write=True, own=own)


# Every role but the auditor, who reads the audit trail and nothing else (三权分立).
EVERY_ROLE = frozenset(Role.values) - {Role.AUDITOR}
PUBLIC = Access(roles=None, public=True)
SIGNED_IN = Access(roles=None)

# Routes outside the matrix: Django's admin (superusers only, its own auth) and the API.
EXCLUDED_PREFIXES = ("django-admin/", "api/v1/")


def walk_urls() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(route, namespaced name, view) for every page in the URLconf."""

    def walk(
        patterns: list[Any], prefix: str, namespace: str | None
    ) -> Iterator[tuple[str, str, Callable[..., Any]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(EXCLUDED_PREFIXES):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield route, name, pattern.callback

    yield from walk(get_resolver().url_patterns, "", None)


# fmt: off
POLICY: dict[str, Access] = {
    "healthz": PUBLIC,  # healthz
    "zone-page": read(EVERY_ROLE),  # z/<slug:code>/
    "zone-inspect": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # z/<slug:code>/inspect
    "set_language": PUBLIC,  # i18n/setlang/
    "accounts:login": PUBLIC,  # accounts/login/
    "accounts:login-verify": SIGNED_IN,  # accounts/login/verify/ (second step; without a pending sign-in it sends you to the first)
    "accounts:login-enrol": SIGNED_IN,  # accounts/login/enrol/ (same)
    "accounts:logout": SIGNED_IN,  # accounts/logout/
    "accounts:password-change": SIGNED_IN,  # accounts/password/
    "accounts:profile": SIGNED_IN,  # accounts/profile/
    "accounts:two-factor": SIGNED_IN,  # accounts/two-factor/
    "accounts:token-revoke": SIGNED_IN,  # accounts/tokens/<int:pk>/revoke/
    "accounts:user-list": write(roles("sysadmin", "secadmin")),  # accounts/users/
    "accounts:user-create": write(roles("sysadmin")),  # accounts/users/new/ (roles are then granted by the secadmin)
    "accounts:user-passwords": write(roles("sysadmin")),  # accounts/users/passwords/ (temporary passwords in bulk, a PDF of slips)
    "accounts:user-detail": write(roles("sysadmin", "secadmin")),  # accounts/users/<str:username>/
    "accounts:user-roles": write(roles("sysadmin", "secadmin")),  # accounts/users/<str:username>/roles/
    "accounts:user-password-reset": write(roles("sysadmin", "secadmin")),  # accounts/users/<str:username>/password/
    "accounts:user-active": write(roles("sysadmin", "secadmin")),  # accounts/users/<str:username>/active/
    "accounts:user-unlock": write(roles("sysadmin", "secadmin")),  # accounts/users/<str:username>/unlock/
    "accounts:user-two-factor-reset": write(roles("secadmin")),  # accounts/users/<str:username>/two-factor/
    "org:unit-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "viewer")),  # org/units/
    "org:unit-create": write(roles("admin")),  # org/units/new/
    "org:unit-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "viewer")),  # org/units/<slug:code>/
    "org:unit-edit": write(roles("admin")),  # org/units/<slug:code>/edit/
    "org:staff-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "viewer")),  # org/staff/
    "org:staff-create": write(roles("admin")),  # org/staff/new/
    "org:staff-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "viewer")),  # org/staff/<str:username>/
    "org:staff-edit": write(roles("admin")),  # org/staff/<str:username>/edit/
    "org:staff-photo": read(EVERY_ROLE),  # org/staff/<str:username>/photo/
    "org:staff-photo-upload": write(roles("admin")),  # org/staff/<str:username>/photo/upload/
    "org:staff-photo-remove": write(roles("admin")),  # org/staff/<str:username>/photo/remove/
    "org:group-list": read(EVERY_ROLE),  # org/groups/
    "org:group-create": write(roles("admin", "office")),  # org/groups/new/
    "org:group-detail": read(EVERY_ROLE),  # org/groups/<slug:code>/
    "org:group-edit": write(roles("admin", "office")),  # org/groups/<slug:code>/edit/
    "org:member-add": write(roles("admin", "office")),  # org/groups/<slug:code>/members/
    "org:member-remove": write(roles("admin", "office")),  # org/groups/<slug:code>/members/<str:username>/remove/
    "org:zone-list": read(EVERY_ROLE),  # org/zones/
    "org:zone-create": write(roles("admin")),  # org/zones/new/
    "org:zone-detail": read(EVERY_ROLE),  # org/zones/<slug:code>/
    "org:zone-edit": write(roles("admin")),  # org/zones/<slug:code>/edit/
    "org:zone-cards": write(roles("admin", "office")),  # org/cards.pdf
    "org:floor-plan": read(EVERY_ROLE),  # org/plan/
    "org:zone-move": write(roles("admin")),  # org/plan/zones/<slug:code>/move/
    "org:floor-create": write(roles("admin")),  # org/plan/floors/new/
    "org:floor-edit": write(roles("admin")),  # org/plan/floors/<level:level>/edit/
    "org:area-type-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "viewer")),  # org/area-types/
    "org:area-type-create": write(roles("admin")),  # org/area-types/new/
    "org:area-type-edit": write(roles("admin")),  # org/area-types/<slug:code>/edit/
    "org:import": write(roles("admin")),  # org/import/
    "org:import-template": write(roles("admin")),  # org/import/template.xlsx
    "org:export": write(roles("admin")),  # org/export.xlsx
    "audit:event-list": read(roles("auditor")),  # audit/
    "audit:event-export": read(roles("auditor")),  # audit/export/
    "audit:chain-verify": read(roles("auditor")),  # audit/verify/
    "standards:standard-list": read(EVERY_ROLE),  # standards/
    "standards:area-type-new": write(roles("admin", "office")),  # standards/area-types/new/
    "standards:area-type-edit": write(roles("admin", "office")),  # standards/area-types/<slug:code>/edit/
    "standards:standard-detail": read(EVERY_ROLE),  # standards/area-types/<slug:code>/
    "standards:revision-start": write(roles("admin", "office")),  # standards/area-types/<slug:code>/revise/
    "standards:version-detail": read(EVERY_ROLE),  # standards/versions/<int:pk>/
    "standards:version-settings": write(roles("admin", "office")),  # standards/versions/<int:pk>/settings/
    "standards:version-publish": write(roles("admin", "office")),  # standards/versions/<int:pk>/publish/
    "standards:version-discard": write(roles("admin", "office")),  # standards/versions/<int:pk>/discard/
    "standards:version-diff": read(EVERY_ROLE),  # standards/versions/<int:pk>/diff/
    "standards:version-plan": read(EVERY_ROLE),  # standards/versions/<int:pk>/plan.svg
    "standards:version-pdf": read(EVERY_ROLE),  # standards/versions/<int:pk>/visual.pdf
    "standards:version-labels": read(EVERY_ROLE),  # standards/versions/<int:pk>/labels.pdf
    "standards:version-export": read(EVERY_ROLE),  # standards/versions/<int:pk>/export.xlsx
    "standards:clause-new": write(roles("admin", "office")),  # standards/versions/<int:version_pk>/clauses/new/
    "standards:clause-edit": write(roles("admin", "office")),  # standards/clauses/<int:pk>/edit/
    "standards:clause-delete": write(roles("admin", "office")),  # standards/clauses/<int:pk>/delete/
    "standards:rule-new": write(roles("admin", "office")),  # standards/versions/<int:version_pk>/rules/new/
    "standards:rule-edit": write(roles("admin", "office")),  # standards/rules/<int:pk>/edit/
    "standards:rule-delete": write(roles("admin", "office")),  # standards/rules/<int:pk>/delete/
    "standards:version-import": write(roles("admin", "office")),  # standards/import/
    "standards:starter-workbook": write(roles("admin", "office")),  # standards/import/starter.xlsx
    "standards:item-list": read(EVERY_ROLE),  # standards/items/
    "standards:item-new": write(roles("admin", "office")),  # standards/items/new/
    "standards:item-edit": write(roles("admin", "office")),  # standards/items/<int:pk>/edit/
    "standards:filing-list": read(EVERY_ROLE),  # standards/filings/
    "standards:filing-new": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin"), own=True),  # standards/filings/new/
    "standards:filing-detail": read(EVERY_ROLE),  # standards/filings/<int:pk>/
    "standards:filing-review": write(roles("admin", "office")),  # standards/filings/<int:pk>/review/
    "standards:filing-withdraw": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # standards/filings/<int:pk>/withdraw/
    "inspections:inspection-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/
    "inspections:zone-pick": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # inspections/start/
    "inspections:inspection-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/<int:pk>/
    "inspections:inspection-edit": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/<int:pk>/edit/
    "inspections:photo-upload": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # inspections/answers/<int:pk>/photos/
    "inspections:photo": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/photos/<int:pk>/
    "inspections:photo-delete": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # inspections/photos/<int:pk>/delete/
    "inspections:finding-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/findings/
    "inspections:finding-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/findings/<int:pk>/
    "inspections:recurring": write(roles("admin", "leader", "office", "supervisor", "group_leader")),  # inspections/recurring/
    "inspections:proposal-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # inspections/proposals/<int:pk>/
    "inspections:settings": write(roles("admin", "office")),  # inspections/settings/
    "rectification:rectification-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # rectification/
    "rectification:rectification-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # rectification/<int:pk>/
    "rectification:photo-upload": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # rectification/<int:pk>/photos/
    "rectification:rectification-submit": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # rectification/<int:pk>/submit/
    "rectification:rectification-return": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # rectification/<int:pk>/return/
    "rectification:rectification-verify": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # rectification/<int:pk>/verify/
    "rectification:rectification-reassign": write(roles("admin", "office", "supervisor")),  # rectification/<int:pk>/reassign/
    "rectification:photo": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # rectification/photos/<int:pk>/
    "rectification:photo-delete": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # rectification/photos/<int:pk>/delete/
    "rectification:calendar": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "viewer")),  # rectification/calendar/
    "notifications:notification-list": SIGNED_IN,  # notifications/
    "notifications:notification-open": SIGNED_IN,  # notifications/<int:pk>/open/
    "notifications:notification-read-all": SIGNED_IN,  # notifications/read-all/
    "programme:overview": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/
    "programme:programme-create": write(roles("admin", "leader", "office")),  # programme/new/
    "programme:programme-edit": write(roles("admin", "leader", "office")),  # programme/<int:pk>/edit/
    "programme:timeline": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/<int:pk>/timeline/
    "programme:wave-edit": write(roles("admin", "leader", "office")),  # programme/waves/<int:pk>/edit/
    "programme:wave-start": write(roles("admin", "leader", "office")),  # programme/waves/<int:pk>/start/
    "programme:unit-progress": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/units/<slug:code>/
    "programme:progress-start": write(roles("admin", "leader", "office", "group_leader")),  # programme/progress/<int:pk>/start/
    "programme:progress-request": write(roles("admin", "leader", "office", "group_leader")),  # programme/progress/<int:pk>/request/
    "programme:progress-check": write(roles("admin", "leader", "office", "group_leader")),  # programme/progress/<int:pk>/check/
    "programme:progress-override": write(roles("admin", "leader", "office")),  # programme/progress/<int:pk>/override/
    "programme:gates": write(roles("admin", "leader", "office")),  # programme/gates/
    "programme:round-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/rounds/
    "programme:round-create": write(roles("admin", "leader", "office")),  # programme/rounds/new/
    "programme:round-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/rounds/<int:pk>/
    "programme:round-close": write(roles("admin", "leader", "office")),  # programme/rounds/<int:pk>/close/
    "programme:assignment-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/assignments/<int:pk>/
    "programme:sheet-start": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/assignments/<int:pk>/zones/<slug:zone>/start/
    "programme:rankings": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/rankings/
    "programme:month-publish": write(roles("admin", "leader", "office", "supervisor")),  # programme/rankings/publish/
    "programme:card-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin", "viewer")),  # programme/cards/
    "programme:card-create": write(roles("admin", "leader", "office", "supervisor")),  # programme/cards/new/
    "programme:finding-cards": write(roles("admin", "leader", "office", "supervisor")),  # programme/cards/findings/
    "programme:card-revoke": write(roles("admin", "leader", "office", "supervisor")),  # programme/cards/<int:pk>/revoke/
    "programme:interview-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # programme/interviews/
    "programme:interview-hold": write(roles("admin", "leader", "office", "supervisor")),  # programme/interviews/<int:pk>/held/
    "surveys:survey-list": read(EVERY_ROLE),  # surveys/
    "surveys:survey-create": write(roles("admin", "office")),  # surveys/new/
    "surveys:survey-detail": write(roles("admin", "office")),  # surveys/<int:pk>/
    "surveys:survey-edit": write(roles("admin", "office")),  # surveys/<int:pk>/edit/
    "surveys:question-add": write(roles("admin", "office")),  # surveys/<int:pk>/questions/add/
    "surveys:question-edit": write(roles("admin", "office")),  # surveys/<int:pk>/questions/<int:question_pk>/edit/
    "surveys:question-delete": write(roles("admin", "office")),  # surveys/<int:pk>/questions/<int:question_pk>/delete/
    "surveys:question-move": write(roles("admin", "office")),  # surveys/<int:pk>/questions/<int:question_pk>/move/
    "surveys:survey-publish": write(roles("admin", "office")),  # surveys/<int:pk>/publish/
    "surveys:survey-close": write(roles("admin", "office")),  # surveys/<int:pk>/close/
    "surveys:survey-follow-up": write(roles("admin", "office")),  # surveys/<int:pk>/follow-up/
    "surveys:survey-answer": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # surveys/<int:pk>/answer/
    "surveys:survey-thanks": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # surveys/<int:pk>/thanks/
    "surveys:survey-results": read(roles("admin", "leader", "office", "viewer")),  # surveys/<int:pk>/results/
    "surveys:survey-export": read(roles("admin", "leader", "office", "viewer")),  # surveys/<int:pk>/results.xlsx
    "surveys:survey-compare": read(roles("admin", "leader", "office", "viewer")),  # surveys/<int:pk>/compare/
    "engagement:board": read(EVERY_ROLE),  # engagement/
    "engagement:post-create": write(roles("admin", "office")),  # engagement/posts/new/
    "engagement:post-detail": read(EVERY_ROLE),  # engagement/posts/<int:pk>/
    "engagement:post-edit": write(roles("admin", "office")),  # engagement/posts/<int:pk>/edit/
    "engagement:post-pin": write(roles("admin", "office")),  # engagement/posts/<int:pk>/pin/
    "engagement:post-delete": write(roles("admin", "office")),  # engagement/posts/<int:pk>/delete/
    "engagement:post-poster": read(EVERY_ROLE),  # engagement/posts/<int:pk>/poster.pdf
    "engagement:digest-publish": write(roles("admin", "office")),  # engagement/digest/publish/
    "engagement:screen": read(EVERY_ROLE),  # engagement/screen/
    "engagement:photo": read(EVERY_ROLE),  # engagement/photos/<int:pk>/
    "engagement:photo-thumb": read(EVERY_ROLE),  # engagement/photos/<int:pk>/thumb/
    "engagement:training-list": read(EVERY_ROLE),  # engagement/training/
    "engagement:training-create": write(roles("admin", "office")),  # engagement/training/new/
    "engagement:training-detail": read(EVERY_ROLE),  # engagement/training/<int:pk>/
    "engagement:training-edit": write(roles("admin", "office")),  # engagement/training/<int:pk>/edit/
    "engagement:training-qr": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/training/<int:pk>/qr/
    "engagement:training-sign-in": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/training/<int:pk>/sign-in/
    "engagement:attendance-record": write(roles("admin", "office")),  # engagement/training/<int:pk>/attendance/
    "engagement:document-add": write(roles("admin", "office")),  # engagement/training/<int:pk>/documents/
    "engagement:document-download": read(EVERY_ROLE),  # engagement/training/<int:pk>/documents/<int:document_pk>/
    "engagement:acknowledgement-list": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # engagement/acknowledgements/
    "engagement:acknowledgement-mine": read(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/acknowledgements/mine/
    "engagement:acknowledgement-detail": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # engagement/acknowledgements/<int:pk>/
    "engagement:acknowledgement-confirm": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/acknowledgements/<int:pk>/confirm/
    "engagement:suggestion-list": read(EVERY_ROLE),  # engagement/suggestions/
    "engagement:suggestion-create": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/suggestions/new/
    "engagement:suggestion-detail": read(EVERY_ROLE),  # engagement/suggestions/<int:pk>/
    "engagement:suggestion-vote": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # engagement/suggestions/<int:pk>/vote/
    "engagement:suggestion-review": write(roles("admin", "leader", "office")),  # engagement/suggestions/<int:pk>/review/
    "engagement:suggestion-revision": write(roles("admin", "leader", "office")),  # engagement/suggestions/<int:pk>/revision/
    "engagement:leaderboard": read(EVERY_ROLE),  # engagement/leaderboard/
    "dashboards:dashboard": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/
    "dashboards:heatmap": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/heatmap/
    "dashboards:scorecards": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/scorecards/
    "dashboards:weights": write(roles("admin", "office")),  # dashboards/scorecards/weights/
    "dashboards:scorecard": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/scorecards/<slug:code>/
    "dashboards:ratings": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/ratings/
    "dashboards:ratings-import": write(roles("admin", "office")),  # dashboards/ratings/import/
    "dashboards:ratings-template": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/ratings/template.xlsx
    "dashboards:reports": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/reports/
    "dashboards:report-request": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/reports/report/
    "dashboards:export-request": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/reports/export/
    "dashboards:job": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/jobs/<int:pk>/
    "dashboards:job-download": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # dashboards/jobs/<int:pk>/download/
    "redtags:tag-list": read(EVERY_ROLE),  # redtags/
    "redtags:tag-create": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # redtags/new/
    "redtags:tags-decide": write(roles("admin", "leader", "office")),  # redtags/decide/
    "redtags:tags-pdf": read(EVERY_ROLE),  # redtags/print.pdf
    "redtags:figures": read(EVERY_ROLE),  # redtags/figures/
    "redtags:policy": write(roles("admin", "office")),  # redtags/settings/
    "redtags:tag-detail": read(EVERY_ROLE),  # redtags/<int:pk>/
    "redtags:tag-decide": write(roles("admin", "leader", "office")),  # redtags/<int:pk>/decide/
    "redtags:tag-withdraw": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff")),  # redtags/<int:pk>/withdraw/
    "redtags:tag-photo": read(EVERY_ROLE),  # redtags/<int:pk>/photo/<str:size>.jpg
    "supplies:supply-list": read(EVERY_ROLE),  # supplies/
    "supplies:supply-create": write(roles("admin", "office")),  # supplies/new/
    "supplies:requisition-list": read(EVERY_ROLE),  # supplies/requisitions/
    "supplies:requisition-create": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # supplies/requisitions/new/
    "supplies:requisition-detail": read(EVERY_ROLE),  # supplies/requisitions/<int:pk>/
    "supplies:requisition-approve": write(roles("admin", "leader", "office")),  # supplies/requisitions/<int:pk>/approve/
    "supplies:requisition-issue": write(roles("admin", "office")),  # supplies/requisitions/<int:pk>/issue/
    "supplies:requisition-end": write(roles("admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "sysadmin", "secadmin")),  # supplies/requisitions/<int:pk>/end/
    "supplies:return-list": read(EVERY_ROLE),  # supplies/returns/
    "supplies:return-create": write(roles("admin", "office")),  # supplies/returns/new/
    "supplies:count-list": read(roles("admin", "office", "viewer")),  # supplies/counts/
    "supplies:count-create": write(roles("admin", "office")),  # supplies/counts/new/
    "supplies:count-detail": read(roles("admin", "office", "viewer")),  # supplies/counts/<int:pk>/
    "supplies:consumption": read(roles("admin", "leader", "office", "supervisor", "group_leader", "viewer")),  # supplies/consumption/
    "supplies:consumption-unit": read(EVERY_ROLE),  # supplies/consumption/<slug:code>/
    "supplies:supply-detail": read(EVERY_ROLE),  # supplies/stock/<slug:code>/
    "supplies:supply-edit": write(roles("admin", "office")),  # supplies/stock/<slug:code>/edit/
    "supplies:supply-receive": write(roles("admin", "office")),  # supplies/stock/<slug:code>/receive/
    "core:home": SIGNED_IN,  #
    "core:center-switch": SIGNED_IN,  # center/switch/
    # A background file: then only the center's roles that may make that kind of file.
    "core:job": read(EVERY_ROLE),  # jobs/<int:pk>/
    "core:job-download": read(EVERY_ROLE),  # jobs/<int:pk>/download/
}
# fmt: on
