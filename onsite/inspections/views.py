"""Pages of the inspections app: start from a zone (or its QR), answer on a phone, submit,
read results and findings, turn findings into improvement proposals, center settings.

Every page works without JavaScript; `static/inspections/inspect.js` adds autosave through
the JSON API, the offline queue and instant photo upload."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onsite.core.access import refuse as deny  # the one audited 403 of a page
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError, existing_submission
from onsite.core.models import get_for_center
from onsite.core.paging import page_of
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.inspections import access, services
from onsite.inspections.forms import PhotoForm, ProposalForm, SettingsForm, StartForm, new_key
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Band,
    Finding,
    Inspection,
    InspectionSettings,
    Severity,
)
from onsite.inspections.photos import photo_response
from onsite.inspections.scoring import default_deduction, score_answers
from onsite.inspections.services import AnswerInput, InspectionError
from onsite.org.models import Zone
from onsite.standards.models import Pillar
from onsite.standards.queries import published_version

PAGE_SIZE = 25
INSPECTION_SORTS: SortKeys = {
    "date": "inspected_on",
    "zone": "zone__code",
    "kind": "kind",
    "inspector": "inspector__full_name",
    "score": "score",
}
FINDING_SORTS: SortKeys = {
    "date": "found_on",
    "zone": "zone__code",
    "deduction": "deduction",
    "severity": by_choices("severity", Severity.values),
}
RECURRING_WINDOW_DAYS = 90


def _page(request: OnsiteRequest, rows: QuerySet[Any]) -> Any:
    return page_of(rows, request, PAGE_SIZE)


# --- start -----------------------------------------------------------------------------------


@role_required(*access.WRITERS, write=True)
def zone_pick(request: OnsiteRequest) -> HttpResponse:
    """Where an inspection starts without the zone's QR: the zones this person may inspect,
    searched by zone code, zone name or unit. htmx gets the results only."""
    query = request.GET.get("q", "").strip()[:50]
    page = _page(request, access.zones_to_pick(request.user, request.center, query=query))
    template = "inspections/zone_pick.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {"page": page, "q": query, "query": urlencode({"q": query}) if query else ""},
    )


@role_required(*access.READERS)
def zone_inspect(request: OnsiteRequest, code: str) -> HttpResponse:
    """What `/z/<code>/inspect` (the zone's QR) opens: start an inspection or resume one."""
    zone = get_for_center(
        Zone.objects.select_related("area_type", "owner", "unit"), request.center, code=code
    )
    kinds = access.startable_kinds(request.user, zone)
    if request.method == "POST" and not kinds:
        return deny(request)
    form = StartForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.start_inspection(
                zone=zone,
                kind=form.cleaned_data["kind"],
                inspector=request.user,
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except InspectionError as exc:
            messages.error(request, str(exc.message))
        else:
            return redirect("inspections:inspection-edit", inspection.pk)
    drafts = (
        access.visible_inspections(request.user, request.center)
        .drafts()
        .filter(zone=zone)
        .select_related("inspector")
        .order_by("-started_at")[:10]
    )
    recent = (
        access.visible_inspections(request.user, request.center)
        .submitted()
        .filter(zone=zone)
        .select_related("inspector")
        .order_by("-inspected_on", "-pk")[:5]
    )
    return render(
        request,
        "inspections/zone_inspect.html",
        {
            "zone": zone,
            "form": form,
            "kinds": kinds,
            "has_standard": published_version(zone) is not None,
            "drafts": [(d, access.can_edit(request.user, d)) for d in drafts],
            "recent": recent,
        },
    )


# --- answer ----------------------------------------------------------------------------------


def _inputs_from_post(request: OnsiteRequest, answers: list[Answer]) -> list[AnswerInput]:
    post = request.POST
    items = []
    for answer in answers:
        prefix = f"a{answer.pk}-"
        if f"{prefix}result" not in post and f"{prefix}note" not in post:
            continue
        items.append(
            AnswerInput(
                answer.pk,
                post.get(f"{prefix}result", ""),
                deduction=post.get(f"{prefix}deduction") or None,
                severity=post.get(f"{prefix}severity", Severity.GENERAL),
                note=post.get(f"{prefix}note", ""),
            )
        )
    return items


def _pass_the_rest(answers: list[Answer], items: list[AnswerInput]) -> list[AnswerInput]:
    given = {i.answer_id: i for i in items}
    out = []
    for answer in answers:
        item = given.get(answer.pk)
        if item is None and answer.result:
            continue  # answered before and not on this page
        if item is None or not item.result:
            note = item.note if item else answer.note
            item = AnswerInput(answer.pk, Answer.Result.PASS, note=note)
        out.append(item)
    return out


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _twin_outcome(
    request: OnsiteRequest, inspection: Inspection, action: str
) -> HttpResponse | None:
    """A double tap sends the same keys twice at once. The twin waits on the first one's row
    and then finds the version moved: a conflict with itself. If the first one finished what
    these keys asked for, answer as it was answered instead of showing a conflict."""
    user = request.user
    if action == "submit":
        key = request.POST.get("submit_key", "")
        if key and existing_submission(user=user, scope=services.SUBMIT_SCOPE, key=key):
            messages.success(request, _("Inspection submitted."))
            return redirect("inspections:inspection-detail", inspection.pk)
        return None
    key = request.POST.get("save_key", "")
    if key and existing_submission(user=user, scope=services.SAVE_SCOPE, key=key):
        messages.success(request, _("Answers saved."))
        return redirect(reverse("inspections:inspection-edit", args=[inspection.pk]))
    return None


@never_cache
@role_required(*access.READERS)
def inspection_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The phone checklist of a draft. POST saves the answers (with the version the page was
    based on) and, with action=submit, submits; action=pass_rest marks unanswered checks as
    passed."""
    inspection = access.get_inspection(request.user, request.center, pk)
    if not inspection.is_draft:
        return redirect("inspections:inspection-detail", inspection.pk)
    if not access.can_edit(request.user, inspection):
        return deny(request)
    answers = list(
        inspection.answers.prefetch_related(
            Prefetch("photos", queryset=AnswerPhoto.objects.order_by("uploaded_at", "pk"))
        )
    )
    conflict = False
    unsaved: dict[int, AnswerInput] = {}
    if request.method == "POST":
        items = _inputs_from_post(request, answers)
        action = request.POST.get("action", "save")
        if action == "pass_rest":
            items = _pass_the_rest(answers, items)
        expected = _int(request.POST.get("version"))
        try:
            inspection = services.save_answers(
                inspection=inspection,
                by=request.user,
                expected_version=expected if expected is not None else -1,
                answers=items,
                note=request.POST.get("note"),
                submission_key=request.POST.get("save_key", ""),
                request=request,
            )
            if action == "submit":
                inspection = services.submit_inspection(
                    inspection=inspection,
                    by=request.user,
                    submission_key=request.POST.get("submit_key", ""),
                    request=request,
                )
                messages.success(request, _("Inspection submitted."))
                return redirect("inspections:inspection-detail", inspection.pk)
        except ConflictError as exc:
            twin = _twin_outcome(request, inspection, action)
            if twin is not None:
                return twin
            conflict = True
            messages.error(request, str(exc.message))
        except InspectionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Answers saved."))
            return redirect(reverse("inspections:inspection-edit", args=[inspection.pk]))
        typed = {i.answer_id: i for i in items}
        if conflict:  # show what the other person saved, and what this one typed beside it
            inspection.refresh_from_db()
            answers = list(inspection.answers.prefetch_related("photos"))
            unsaved = {
                a.pk: typed[a.pk]
                for a in answers
                if a.pk in typed
                and (typed[a.pk].result, typed[a.pk].note.strip()) != (a.result, a.note)
            }
        else:  # a refused input: keep everything typed on the page, unsaved, to correct
            for answer in answers:
                if answer.pk in typed:
                    answer.result = typed[answer.pk].result
                    answer.severity = typed[answer.pk].severity
                    answer.note = typed[answer.pk].note
            inspection.refresh_from_db(fields=["version", "note"])
    labels = dict(Answer.Result.choices)
    for answer in answers:
        mine = unsaved.get(answer.pk)
        answer.mine = mine  # type: ignore[attr-defined]
        answer.mine_label = labels.get(mine.result, "—") if mine else ""  # type: ignore[attr-defined]
    settings = InspectionSettings.for_center(inspection.center_id)
    score = score_answers(answers, settings)
    sections = [
        (p.value, str(p.label), [a for a in answers if a.pillar == p.value])
        for p in Pillar
        if any(a.pillar == p.value for a in answers)
    ]
    return render(
        request,
        "inspections/inspection_edit.html",
        {
            "inspection": inspection,
            "sections": sections,
            "score": score,
            "settings": settings,
            "severities": Severity.choices,
            "results": Answer.Result.choices,
            "save_key": new_key(),
            "submit_key": new_key(),
            "conflict": conflict,
            "unsaved": unsaved,
            "default_deductions": {a.pk: default_deduction(a.max_points) for a in answers},
        },
    )


@role_required(*access.WRITERS, write=True)
@require_POST
def photo_upload(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Adds photos to a check (the no-JavaScript path; the page's script uses the API)."""
    answer = access.get_answer(request.user, request.center, pk)
    if not access.can_edit(request.user, answer.inspection):
        return deny(request)
    form = PhotoForm(request.POST, request.FILES)
    uploads = request.FILES.getlist("photo")
    if not form.is_valid() or not uploads:
        messages.error(request, _("Choose a photo to upload."))
    else:
        key = form.cleaned_data.get("submission_key") or ""
        try:
            for index, upload in enumerate(uploads):
                services.add_photo(
                    answer=answer,
                    by=request.user,
                    upload=upload,
                    submission_key=f"{key}:{index}" if key else "",
                    request=request,
                )
        except InspectionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Photo saved."))
    url = reverse("inspections:inspection-edit", args=[answer.inspection_id])
    return redirect(f"{url}#a{answer.pk}")


@role_required(*access.WRITERS, write=True)
@require_POST
def photo_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    inspection = photo.answer.inspection
    if not access.can_edit(request.user, inspection):
        return deny(request)
    try:
        services.remove_photo(photo=photo, by=request.user, request=request)
    except InspectionError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Photo removed."))
    return redirect("inspections:inspection-edit", inspection.pk)


@role_required(*access.READERS)
def photo_view(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    thumb = request.GET.get("size") == "thumb"
    return photo_response(
        photo.thumbnail if thumb else photo.image, name=f"inspection-photo-{photo.pk}"
    )


# --- read ------------------------------------------------------------------------------------


@role_required(*access.READERS)
def inspection_list(request: OnsiteRequest) -> HttpResponse:
    rows = (
        access.visible_inspections(request.user, request.center)
        .select_related("zone", "inspector")
        .order_by("-inspected_on", "-pk")
    )
    picked = {n: request.GET.get(n, "") for n in ("kind", "status", "band", "zone")}
    if picked["kind"] in Inspection.Kind.values:
        rows = rows.filter(kind=picked["kind"])
    if picked["status"] in Inspection.Status.values:
        rows = rows.filter(status=picked["status"])
    if picked["band"] in Band.values:
        rows = rows.filter(band=picked["band"])
    if picked["zone"]:
        rows = rows.filter(zone__code=picked["zone"][:32])
    query = "&".join(f"{k}={v}" for k, v in picked.items() if v)
    rows, sort = sort_rows(rows, request, keys=INSPECTION_SORTS, default="-date")
    page = _page(request, rows)
    # Findings are counted for the page's rows only: counting them in the list's query
    # grouped the whole history before the page was cut.
    counts = dict(
        Finding.objects.filter(inspection__in=[i.pk for i in page])
        .order_by()
        .values("inspection_id")
        .annotate(n=Count("pk"))
        .values_list("inspection_id", "n")
    )
    for inspection in page:
        inspection.finding_count = counts.get(inspection.pk, 0)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": page,
            "sort": sort,
            "picked": picked,
            "query": query,
            "kinds": Inspection.Kind.choices,
            "statuses": Inspection.Status.choices,
            "bands": Band.choices,
            "can_edit_settings": access.can_edit_settings(request.user),
            "can_improve": access.can_improve(request.user),
            "can_start": access.can_write(request.user),
        },
    )


@role_required(*access.READERS)
def inspection_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    inspection = access.get_inspection(request.user, request.center, pk)
    if inspection.is_draft and access.can_edit(request.user, inspection):
        return redirect("inspections:inspection-edit", inspection.pk)
    answers = list(
        inspection.answers.select_related("finding__rectification").prefetch_related("photos")
    )
    settings = InspectionSettings.for_center(inspection.center_id)
    score = score_answers(answers, settings)
    history = (
        access.visible_inspections(request.user, request.center)
        .submitted()
        .filter(zone_id=inspection.zone_id)
        .order_by("-inspected_on", "-pk")[:10]
    )
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "answers": answers,
            "failed": [a for a in answers if a.is_failed],
            "score": score,
            "pillar_rows": [
                (p.value, p.label, inspection.pillar_scores[p.value])
                for p in Pillar
                if p.value in (inspection.pillar_scores or {})
            ],
            "history": history,
        },
    )


@role_required(*access.READERS)
def finding_list(request: OnsiteRequest) -> HttpResponse:
    rows = (
        access.visible_findings(request.user, request.center)
        .select_related("zone", "inspection__inspector", "rectification")
        .order_by("-found_on", "-pk")
    )
    picked = {n: request.GET.get(n, "") for n in ("repeat", "zone", "pillar", "open")}
    if picked["repeat"] == "1":
        rows = rows.filter(is_repeat=True)
    if picked["open"] == "1":
        rows = rows.exclude(rectification__status="closed")
    if picked["pillar"] in Pillar.values:
        rows = rows.filter(pillar=picked["pillar"])
    if picked["zone"]:
        rows = rows.filter(zone__code=picked["zone"][:32])
    query = "&".join(f"{k}={v}" for k, v in picked.items() if v)
    rows, sort = sort_rows(rows, request, keys=FINDING_SORTS, default="-date")
    return render(
        request,
        "inspections/finding_list.html",
        {
            "page": _page(request, rows),
            "sort": sort,
            "sort_columns": [
                ("date", _("Date")),
                ("zone", _("Zone")),
                ("severity", _("Severity")),
                ("deduction", _("Deduction")),
            ],
            "picked": picked,
            "query": query,
            "pillars": Pillar.choices,
            "can_improve": access.can_improve(request.user),
        },
    )


@role_required(*access.READERS)
def finding_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    finding = access.get_finding(request.user, request.center, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST":
        if not access.can_improve(request.user):
            return deny(request)
        if form.is_valid():
            try:
                proposal = services.propose_improvement(
                    findings=[finding],
                    by=request.user,
                    proposal=form.cleaned_data["proposal"],
                    request=request,
                )
            except InspectionError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("A draft of the standard now carries this proposal."))
                return redirect("inspections:proposal-detail", proposal.pk)
    photos = list(finding.answer.photos.all())
    return render(
        request,
        "inspections/finding_detail.html",
        {
            "finding": finding,
            "photos": photos,
            "rectification": getattr(finding, "rectification", None),
            "form": form,
            "can_improve": access.can_improve(request.user),
        },
    )


@role_required(*access.IMPROVERS, write=True)
def recurring_checks(request: OnsiteRequest) -> HttpResponse:
    """Checks failed again and again (twice or more in the last 90 days) per area type:
    candidates for improving the standard itself."""
    since = timezone.localdate() - datetime.timedelta(days=RECURRING_WINDOW_DAYS)
    base = Finding.objects.filter(center=request.center, found_on__gte=since)
    if request.method == "POST":
        form = ProposalForm(request.POST)
        area_type = _int(request.POST.get("area_type"))
        key = request.POST.get("check_key", "")[:60]
        findings = list(
            base.filter(zone__area_type_id=area_type, check_key=key).select_related(
                "zone__area_type", "answer"
            )
        )
        if not form.is_valid():
            messages.error(request, _("Say what should change in the standard and why."))
        else:
            try:
                proposal = services.propose_improvement(
                    findings=findings,
                    by=request.user,
                    proposal=form.cleaned_data["proposal"],
                    request=request,
                )
            except InspectionError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("A draft of the standard now carries this proposal."))
                return redirect("inspections:proposal-detail", proposal.pk)
    groups = list(
        base.values("zone__area_type_id", "zone__area_type__name", "check_key")
        .annotate(
            times=Count("pk"),
            zones=Count("zone", distinct=True),
            last=Max("found_on"),
            sample=Max("answer__text"),
            proposed=Max("proposal_id"),
        )
        .filter(times__gte=2)
        .order_by("-times", "check_key")[:100]
    )
    return render(
        request,
        "inspections/recurring.html",
        {"groups": groups, "window": RECURRING_WINDOW_DAYS, "form": ProposalForm()},
    )


@role_required(*access.READERS)
def proposal_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    proposal = access.get_proposal(request.center, pk)
    findings = access.visible_findings(request.user, request.center).filter(proposal=proposal)
    return render(
        request,
        "inspections/proposal_detail.html",
        {
            "proposal": proposal,
            "findings": findings.select_related("zone").order_by("-found_on")[:100],
        },
    )


@role_required(*access.SETTINGS_EDITORS, write=True)
def settings_edit(request: OnsiteRequest) -> HttpResponse:
    current = InspectionSettings.for_center(request.center.pk if request.center else 0)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                settings=current,
                by=request.user,
                data=form.cleaned_data,
                expected_version=form.cleaned_data.get("row_version") or current.version,
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except InspectionError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:settings")
    return render(
        request,
        "inspections/settings.html",
        {"form": form, "settings": current},
    )
