"""The JSON API: one NinjaAPI over every app's router, and the one error contract.

A refusal raised by any domain check (`onsite.core.refusals`) is answered here, the same way in
every app: 403 not allowed (and an `access.denied` audit row), 404 not visible, 409 stale
version or wrong state, 422 invalid input; the body is `{"code": …, "detail": …}` with the
detail in the caller's language. A service's ValidationError is invalid input (422)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from onsite.accounts.api import API_AUTH
from onsite.accounts.api import router as accounts_router
from onsite.complaints.api import router as complaints_router
from onsite.core.access import note_refusal
from onsite.core.refusals import Invalid, Refusal
from onsite.dashboards.api import router as dashboards_router
from onsite.engagement.api import router as engagement_router
from onsite.equipment.api import router as equipment_router
from onsite.inspections.api import router as inspections_router
from onsite.notifications.api import router as notifications_router
from onsite.org.api import router as org_router
from onsite.programme.api import router as programme_router
from onsite.rectification.api import router as rectification_router
from onsite.redtags.api import router as redtags_router
from onsite.standards.api import router as standards_router
from onsite.supplies.api import router as supplies_router
from onsite.surveys.api import router as surveys_router
from onsite.vision.api import router as vision_router

api = NinjaAPI(
    title="Onsite API",
    version="1",
    description="现场管理标准化平台 JSON API. Every object is scoped to the caller's service center.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/accounts", accounts_router)
api.add_router("/org", org_router)
api.add_router("/standards", standards_router)
api.add_router("/inspections", inspections_router)
api.add_router("/rectification", rectification_router)
api.add_router("/complaints", complaints_router)
api.add_router("/notifications", notifications_router)
api.add_router("/programme", programme_router)
api.add_router("/surveys", surveys_router)
api.add_router("/engagement", engagement_router)
api.add_router("/dashboards", dashboards_router)
api.add_router("/redtags", redtags_router)
api.add_router("/supplies", supplies_router)
api.add_router("/vision", vision_router)
api.add_router("/equipment", equipment_router)


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    note_refusal(request, exc)
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return refused(request, Invalid.from_validation(exc))
