"""Pages of the inspections app."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
