"""Pages of the rectification app."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def rectification_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
