"""Pages of the rankings (评比) per round and per month, the cards and the interview list."""

from __future__ import annotations

import datetime
from typing import Any

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
from onsite.core.models import Center
from onsite.core.months import this_month
from onsite.core.replica import replica_reads
from onsite.core.types import OnsiteRequest
from onsite.programme import access, actions, queries
from onsite.programme.forms import CardForm, InterviewForm, MonthForm, RevokeForm
from onsite.programme.models import Card, Interview
from onsite.programme.views.common import adapter, as_int, attempt

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


def _round_ranking(center: Center, chosen: int | None) -> dict[str, Any]:
    """The closed round picked (else the latest) with its ranked entries."""
    closed = list(
        queries.round_rows(center, status="closed").values(
            "pk", "name", "closed_at", "programme__name"
        )[:24]
    )
    chosen = chosen or (closed[0]["pk"] if closed else None)
    round_ = access.get_round(center, chosen) if chosen else None
    entries = (
        list(round_.entries.select_related("unit").order_by("rank", "unit__code"))
        if round_ is not None and round_.is_closed
        else []
    )
    last = max((e.rank or 0 for e in entries), default=0)
    return {"round": round_, "rounds": closed, "entries": entries, "round_last": last}


@role_required(*access.READERS)
@replica_reads
def rankings(request: OnsiteRequest) -> HttpResponse:
    """The latest closed round's ranking (or ?round=), and the month's (?month=YYYY-MM):
    as published, or as it stands if not published yet."""
    center = access.center_of(request)
    month = _month_of(request.GET.get("month"))
    published, rows = queries.month_ranking(center=center, month=month)
    month_rows = [(r.unit, r.score, r.rank, r.sources) for r in rows]
    holders = Card.objects.filter(center=center).flag_holders().select_related("unit")
    return render(
        request,
        "programme/rankings.html",
        {
            **_round_ranking(center, as_int(request.GET.get("round"))),
            "month": month,
            "month_form": MonthForm(initial={"month": month}),
            "published": published,
            "month_ended": month < this_month(),
            "month_rows": month_rows,
            "last_rank": max((r[2] for r in month_rows), default=0),
            "can_rank": access.may(request.user, access.RANKERS),
            "holders": list(holders),
        },
    )


@role_required(*access.RANKERS, write=True)
@require_POST
@adapter
def month_publish(request: OnsiteRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a month such as 2026-03."))
        return redirect("programme:rankings")
    month = form.cleaned_data["month"]
    if attempt(
        request,
        lambda: actions.check_publish_month(request, month=month),
        lambda: actions.do_publish_month(request, month=month),
    ):
        messages.success(request, _("Monthly ranking published."))
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
@adapter
def card_create(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    form = CardForm(request.POST or None, center=center)
    if not form.is_bound and request.GET.get("unit"):
        code = request.GET["unit"][:32].replace("\x00", "")
        unit = center.unit_set.filter(code=code).first()
        form.initial["unit"] = unit.pk if unit else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        card = attempt(
            request,
            lambda: actions.check_issue_card(request, kind=data["kind"], reason=data["reason"]),
            lambda: actions.do_issue_card(
                request,
                unit=data["unit"],
                kind=data["kind"],
                reason=data["reason"],
                submission_key=data["submission_key"],
            ),
            form=form,
        )
        if card is not None:
            messages.success(request, _("Card issued."))
            return redirect(f"{reverse('programme:card-list')}?unit={card.unit.code}")
    return render(request, "programme/card_form.html", {"form": form})


@role_required(*access.RANKERS, write=True)
@require_POST
@adapter
def card_revoke(request: OnsiteRequest, pk: int) -> HttpResponse:
    card = access.get_card(request.center, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the card."))
        return redirect("programme:card-list")
    reason = form.cleaned_data["reason"]
    if attempt(
        request,
        lambda: actions.check_revoke_card(request, card, reason=reason),
        lambda: actions.do_revoke_card(request, card, reason=reason),
    ):
        messages.success(request, _("Card revoked."))
    return redirect("programme:card-list")


@role_required(*access.RANKERS, write=True)
@require_POST
@adapter
def finding_cards(request: OnsiteRequest) -> HttpResponse:
    cards = attempt(
        request,
        lambda: actions.check_finding_cards(request),
        lambda: actions.do_finding_cards(request),
    )
    if cards is not None:
        text = ngettext(
            "%(n)d new card for overdue rectifications and repeated findings.",
            "%(n)d new cards for overdue rectifications and repeated findings.",
            len(cards),
        )
        messages.success(request, text % {"n": len(cards)})
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
@adapter
def interview_hold(request: OnsiteRequest, pk: int) -> HttpResponse:
    interview = access.get_interview(request.center, pk)
    form = InterviewForm(request.POST, prefix=f"i{interview.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("programme:interview-list")
    data = form.cleaned_data
    facts = {"held_on": data["held_on"], "note": data["note"], "version": data["version"]}
    if attempt(
        request,
        lambda: actions.check_hold_interview(request, interview, **facts),
        lambda: actions.do_hold_interview(request, interview, **facts),
    ):
        messages.success(request, _("Interview recorded."))
    return redirect("programme:interview-list")
