"""Pages of the rankings (评比) per round and per month, the cards and the interview list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.types import OnsiteRequest
from onsite.programme import access, queries, services
from onsite.programme.forms import CardForm, InterviewForm, MonthForm, RevokeForm
from onsite.programme.models import Card, Interview, MonthlyRanking
from onsite.programme.views.common import as_int

PAGE_SIZE = 30
CARD_SHOWS = ("in_force", "revoked", "all")


def _month_of(text: str | None) -> datetime.date:
    today = timezone.localdate().replace(day=1)
    if text:
        try:
            month = datetime.datetime.strptime(text[:7], "%Y-%m").date()
        except ValueError:
            return today
        return month if month.year >= 2000 else today
    return today


@role_required(*access.READERS)
def rankings(request: OnsiteRequest) -> HttpResponse:
    """The latest closed round's ranking (or ?round=), and the month's (?month=YYYY-MM):
    as published, or as it stands if not published yet."""
    center = access.center_of(request)
    closed = list(
        queries.round_rows(center, status="closed").values("pk", "name", "closed_at")[:24]
    )
    chosen = as_int(request.GET.get("round")) or (closed[0]["pk"] if closed else None)
    round_ = access.get_round(center, chosen) if chosen else None
    entries = (
        list(round_.entries.select_related("unit").order_by("rank", "unit__code"))
        if round_ is not None and round_.is_closed
        else []
    )
    month = _month_of(request.GET.get("month"))
    published = MonthlyRanking.objects.filter(center=center, month=month).first()
    if published is not None:
        month_rows = [
            (r.unit, r.score, r.rank, r.sources)
            for r in published.rows.select_related("unit").order_by("rank", "unit__code")
        ]
    else:
        month_rows = [
            (r.unit, r.score, r.rank, r.sources)
            for r in queries.month_scores(center=center, month=month)
        ]
    return render(
        request,
        "programme/rankings.html",
        {
            "round": round_,
            "rounds": closed,
            "entries": entries,
            "month": month,
            "month_form": MonthForm(initial={"month": month}),
            "published": published,
            "month_rows": month_rows,
            "last_rank": max((r[2] for r in month_rows), default=0),
            "round_last": max((e.rank or 0 for e in entries), default=0),
            "can_rank": access.may(request.user, access.RANKERS),
            "holders": list(
                Card.objects.filter(center=center).flag_holders().select_related("unit")
            ),
        },
    )


@role_required(*access.RANKERS, write=True)
@require_POST
def month_publish(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a month such as 2026-03."))
        return redirect("programme:rankings")
    month = form.cleaned_data["month"]
    try:
        services.publish_month(center=center, month=month, by=request.user, request=request)
    except services.ProgrammeError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Monthly ranking published; cards issued."))
    return redirect(f"{reverse('programme:rankings')}?month={month:%Y-%m}")


@role_required(*access.READERS)
def card_list(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    picked = {
        "kind": request.GET.get("kind", ""),
        "unit": request.GET.get("unit", ""),
        "show": request.GET.get("show", "in_force"),
    }
    if picked["show"] not in CARD_SHOWS:
        picked["show"] = "in_force"
    rows = queries.cards_of(center, **picked)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/card_list.html",
        {
            "page": page,
            "picked": picked,
            "kinds": Card.Kind.choices,
            "can_rank": access.may(request.user, access.RANKERS),
            "revoke_form": RevokeForm(),
        },
    )


@role_required(*access.RANKERS, write=True)
def card_create(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    form = CardForm(request.POST or None, center=center, initial={"unit": request.GET.get("unit")})
    if request.GET.get("unit") and not form.is_bound:
        code = request.GET["unit"][:32].replace("\x00", "")
        unit = center.unit_set.filter(code=code).first()
        form.initial["unit"] = unit.pk if unit else None
    if request.method == "POST" and form.is_valid():
        try:
            card = services.issue_card(
                center=center,
                unit=form.cleaned_data["unit"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except services.ProgrammeError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Card issued."))
            return redirect(f"{reverse('programme:card-list')}?unit={card.unit.code}")
    return render(request, "programme/card_form.html", {"form": form})


@role_required(*access.RANKERS, write=True)
@require_POST
def card_revoke(request: OnsiteRequest, pk: int) -> HttpResponse:
    card = access.get_card(request.center, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the card."))
    else:
        services.revoke_card(
            card=card, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("Card revoked."))
    return redirect("programme:card-list")


@role_required(*access.RANKERS, write=True)
@require_POST
def finding_cards(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    cards = services.issue_finding_cards(center=center, by=request.user, request=request)
    messages.success(
        request,
        ngettext(
            "%(n)d new card for overdue rectifications and repeated findings.",
            "%(n)d new cards for overdue rectifications and repeated findings.",
            len(cards),
        )
        % {"n": len(cards)},
    )
    return redirect("programme:card-list")


@role_required(*access.RESULT_READERS)
def interview_list(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    rows = (
        Interview.objects.filter(center=center)
        .select_related("unit", "held_by")
        .order_by("status", "-month", "unit__code")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "programme/interview_list.html",
        {
            "page": page,
            "can_rank": access.may(request.user, access.RANKERS),
            "forms": {
                i.pk: InterviewForm(
                    prefix=f"i{i.pk}", initial={"held_on": today, "version": i.version}
                )
                for i in page
                if i.status == Interview.Status.PENDING
            },
        },
    )


@role_required(*access.RANKERS, write=True)
@require_POST
def interview_hold(request: OnsiteRequest, pk: int) -> HttpResponse:
    interview = access.get_interview(request.center, pk)
    form = InterviewForm(request.POST, prefix=f"i{interview.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("programme:interview-list")
    try:
        services.hold_interview(
            interview=interview,
            by=request.user,
            held_on=form.cleaned_data["held_on"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except services.ProgrammeError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Interview recorded."))
    return redirect("programme:interview-list")
