"""The phone app shell: the web app manifest, the service worker and the page shown when a
page was never kept for offline use. The worker (template `site/sw.js`) holds a versioned
cache of the static files the floor pages use and a cache of the pages marked
`onsite.core.offline.kept_offline`; its version is a digest of those files and of itself, so a
deployment that changes any of them installs a new worker, which drops the old caches."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from onsite.core.access import public

# The static files every floor page needs, kept at install so the first offline page works.
FLOOR_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "css/onsite.css",
    "js/onsite.js",
    "js/confirm.js",
    "js/outbox.js",
    "inspections/inspect.js",
    "inspections/inspections.css",
    "rectification/hand-in.js",
    "rectification/rectification.css",
    "redtags/redtags.css",
    "favicon.svg",
    "icons/onsite-192.png",
)


def _htmx_paths() -> list[str]:
    """The static paths `{% htmx_script %}` loads (they follow django-htmx's version)."""
    rendered = (
        engines["django"]
        .from_string("{% load django_htmx %}{% htmx_script minified=True %}")
        .render()
    )
    prefix = static("")
    return [src[len(prefix) :] for src in re.findall(r'src="([^"]+)"', rendered)]


@lru_cache(maxsize=1)
def shell() -> tuple[str, tuple[str, ...]]:
    """(version, static URLs to keep): the version changes whenever one of the files does."""
    digest = hashlib.sha256()
    urls = []
    for path in (*FLOOR_ASSETS, *_htmx_paths()):
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
        urls.append(static(path))
    digest.update((Path(__file__).parent / "templates" / "site" / "sw.js").read_bytes())
    return digest.hexdigest()[:16], tuple(urls)


@public
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    version, assets = shell()
    response = render(
        request,
        "site/sw.js",
        {
            "version": version,
            "assets": json.dumps(list(assets)),
            "offline_url": json.dumps(reverse("site:offline")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@public
def manifest(request: HttpRequest) -> JsonResponse:
    """The installable app: Chinese name by default (the page's language), starts at home."""
    icons = [
        {"src": static(f"icons/onsite-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("icons/onsite-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    data = {
        "name": _("Onsite · standardized on-site management"),
        "short_name": _("Onsite"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("site:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@public
def favicon(request: HttpRequest) -> HttpResponse:
    """What a browser asks for where a page names no icon (a photo opened on its own)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@public
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the worker for a page this phone never kept, while the network is gone."""
    return render(request, "site/offline.html")
