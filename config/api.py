from ninja import NinjaAPI

from onsite.accounts.api import API_AUTH
from onsite.accounts.api import router as accounts_router
from onsite.org.api import router as org_router

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
