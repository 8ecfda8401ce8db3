"""Pages of the inspections app: start from a zone (or its QR), answer on a phone, submit,
read results and findings, turn findings into improvement proposals, center settings.

Adapters only: every write is `actions.check_*` then `actions.do_*` (a refusal raised by a
check becomes the refusal page; one raised by the write is shown on the page it came from,
with its status and the `Onsite-Refusal` header). Every page works without JavaScript;
`static/inspections/inspect.js` adds autosave through the JSON API, the offline queue and
instant photo upload."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, refusal_response, role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.offline import kept_offline
from onsite.core.paging import page_of
from onsite.core.refusals import NotAllowed, NotVisible, Refusal
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.inspections import access, actions, queries
from onsite.inspections.actions import ChecklistPost
from onsite.inspections.forms import PhotoForm, ProposalForm, SettingsForm, StartForm, new_key
from onsite.inspections.models import Answer, Band, Inspection, InspectionSettings, Severity
from onsite.inspections.panels import attach_panels
from onsite.inspections.photos import photo_response
from onsite.inspections.scoring import default_deduction, score_answers
from onsite.inspections.services import MissingPhotos
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
RECURRING_WINDOW_DAYS = queries.RECURRING_WINDOW_DAYS


RESULT_LABELS = dict(Answer.Result.choices)


def _page(request: OnsiteRequest, rows: QuerySet[Any]) -> Any:
    return page_of(rows, request, PAGE_SIZE)


def _shown(request: OnsiteRequest, response: HttpResponse, refusal: Refusal) -> HttpResponse:
    """A page shown again with the refusal of its write: its status and code go along (a
    redirect stays one, with the code, so the browser lands where the message is shown). A
    refusal of the person (403/404) is the refusal page instead."""
    if isinstance(refusal, NotAllowed | NotVisible):
        return refusal_response(request, refusal)
    if response.status_code == 200:
        response.status_code = refusal.status
    response["Onsite-Refusal"] = refusal.code
    return response


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
@answers_refusals
def zone_inspect(request: OnsiteRequest, code: str) -> HttpResponse:
    """What `/z/<code>/inspect` (the zone's QR) opens: start an inspection or resume one."""
    zone = get_for_center(
        Zone.objects.select_related("area_type", "owner", "unit"), request.center, code=code
    )
    if request.method == "POST":  # a kind the form does not offer is refused as the API does
        actions.check_start(request.user, zone, request.POST.get("kind") or None)
    form = StartForm(request.POST or None, kinds=access.startable_kinds(request.user, zone))
    if request.method != "POST" or not form.is_valid():
        return _zone_inspect_page(request, zone, form)
    try:
        inspection = actions.do_start(
            zone=zone,
            kind=form.cleaned_data["kind"],
            inspector=request.user,
            submission_key=form.cleaned_data["submission_key"],
            request=request,
        )
    except Refusal as refusal:
        messages.error(request, str(refusal.message))
        return _shown(request, _zone_inspect_page(request, zone, form), refusal)
    return redirect("inspections:inspection-edit", inspection.pk)


def _zone_inspect_page(request: OnsiteRequest, zone: Zone, form: StartForm) -> HttpResponse:
    rows = access.visible_inspections(request.user, request.center)
    drafts, recent = queries.zone_drafts_and_recent(rows, zone)
    return render(
        request,
        "inspections/zone_inspect.html",
        {
            "zone": zone,
            "form": form,
            "kinds": access.startable_kinds(request.user, zone),
            "has_standard": published_version(zone) is not None,
            "drafts": [(d, access.can_edit(request.user, d)) for d in drafts],
            "recent": recent,
        },
    )


# --- answer ----------------------------------------------------------------------------------


@kept_offline
@never_cache
@role_required(*access.READERS)
@answers_refusals
def inspection_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The phone checklist of a draft. POST saves the answers (with the version the page was
    based on) and, with action=submit, submits; action=pass_rest marks unanswered checks as
    passed."""
    inspection = access.get_inspection(request.user, request.center, pk)
    if not inspection.is_draft:
        return redirect("inspections:inspection-detail", inspection.pk)
    actions.check_edit(request.user, inspection)
    answers = queries.checklist_answers(inspection)
    if request.method != "POST":
        return _checklist(request, inspection, answers)
    post = ChecklistPost.parse(request.POST, answers)
    try:
        inspection = actions.do_checklist_post(
            inspection, by=request.user, post=post, request=request
        )
    except Refusal as refusal:
        if isinstance(refusal, ConflictError) and actions.replayed(request.user, post):
            return _saved(request, inspection, post)
        messages.error(request, str(refusal.message))
        return _shown(request, _checklist_refused(request, inspection, post, refusal), refusal)
    return _saved(request, inspection, post)


def _saved(request: OnsiteRequest, inspection: Inspection, post: ChecklistPost) -> HttpResponse:
    if post.action == "submit":
        messages.success(request, _("Inspection submitted."))
        return redirect("inspections:inspection-detail", inspection.pk)
    messages.success(request, _("Answers saved."))
    return redirect(reverse("inspections:inspection-edit", args=[inspection.pk]))


def _checklist_refused(
    request: OnsiteRequest, inspection: Inspection, post: ChecklistPost, refusal: Refusal
) -> HttpResponse:
    """After a conflict: what the other person saved, and what this one typed beside it.
    After a refused input: everything typed on the page, unsaved, to correct."""
    typed = {i.answer_id: i for i in post.items}
    inspection.refresh_from_db()
    answers = queries.checklist_answers(inspection)
    if isinstance(refusal, ConflictError):
        unsaved = {
            a.pk: typed[a.pk]
            for a in answers
            if a.pk in typed
            and (typed[a.pk].result, typed[a.pk].note.strip()) != (a.result, a.note)
        }
        return _checklist(request, inspection, answers, unsaved=unsaved, conflict=True)
    for answer in answers:
        if answer.pk in typed:
            answer.result = typed[answer.pk].result
            answer.severity = typed[answer.pk].severity
            answer.note = typed[answer.pk].note
            answer.person_id = typed[answer.pk].person
            answer.equipment_id = typed[answer.pk].equipment
    missing = {a.pk for a in refusal.checks} if isinstance(refusal, MissingPhotos) else set()
    return _checklist(request, inspection, answers, missing_photos=missing)


def _checklist(
    request: OnsiteRequest,
    inspection: Inspection,
    answers: list[Answer],
    *,
    unsaved: dict[int, Any] | None = None,
    conflict: bool = False,
    missing_photos: set[int] | None = None,
) -> HttpResponse:
    for answer in answers:
        mine = (unsaved or {}).get(answer.pk)
        answer.mine = mine  # type: ignore[attr-defined]
        answer.mine_label = RESULT_LABELS.get(mine.result, "—") if mine else ""  # type: ignore[attr-defined]
    settings = InspectionSettings.for_center(inspection.center_id)
    attach_panels(request, inspection, answers)
    return render(
        request,
        "inspections/inspection_edit.html",
        {
            "inspection": inspection,
            "sections": queries.sections(answers),
            "score": score_answers(answers, settings),
            "settings": settings,
            "severities": Severity.choices,
            "results": Answer.Result.choices,
            "save_key": new_key(),
            "submit_key": new_key(),
            "conflict": conflict,
            "unsaved": unsaved or {},
            "missing_photos": missing_photos or set(),
            "default_deductions": {a.pk: default_deduction(a.max_points) for a in answers},
            **queries.pickers(inspection, answers),
        },
    )


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def photo_upload(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Adds photos to a check (the no-JavaScript path; the page's script uses the API)."""
    answer = access.get_answer(request.user, request.center, pk)
    actions.check_add_photo(request.user, answer)
    form = PhotoForm(request.POST, request.FILES)
    uploads = request.FILES.getlist("photo")
    url = reverse("inspections:inspection-edit", args=[answer.inspection_id]) + f"#a{answer.pk}"
    if not form.is_valid() or not uploads:
        messages.error(request, _("Choose a photo to upload."))
        return redirect(url)
    key = form.cleaned_data.get("submission_key") or ""
    try:
        for index, upload in enumerate(uploads):
            actions.do_add_photo(
                answer=answer,
                by=request.user,
                upload=upload,
                submission_key=f"{key}:{index}" if key else "",
                request=request,
            )
    except Refusal as refusal:
        messages.error(request, str(refusal.message))
        return _shown(request, redirect(url), refusal)
    messages.success(request, _("Photo saved."))
    return redirect(url)


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def photo_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    actions.check_remove_photo(request.user, photo)
    actions.do_remove_photo(photo=photo, by=request.user, request=request)
    messages.success(request, _("Photo removed."))
    return redirect("inspections:inspection-edit", photo.answer.inspection_id)


@role_required(*access.READERS)
def photo_view(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    thumb = request.GET.get("size") == "thumb"
    return photo_response(
        photo.thumbnail if thumb else photo.image, name=f"inspection-photo-{photo.pk}"
    )


# --- read ------------------------------------------------------------------------------------


def _choices() -> dict[str, Any]:
    return {
        "kinds": Inspection.Kind.choices,
        "statuses": Inspection.Status.choices,
        "bands": Band.choices,
    }


@role_required(*access.READERS)
def inspection_list(request: OnsiteRequest) -> HttpResponse:
    picked, query = queries.picked_filters(request.GET, ("kind", "status", "band", "zone"))
    rows = queries.filter_inspections(
        access.visible_inspections(request.user, request.center).select_related(
            "zone", "inspector"
        ),
        picked,
    )
    rows, sort = sort_rows(rows, request, keys=INSPECTION_SORTS, default="-date")
    page = _page(request, rows)
    queries.count_findings(page)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": page,
            "sort": sort,
            "picked": picked,
            "query": query,
            **_choices(),
            "can_edit_settings": access.can_edit_settings(request.user),
            "can_improve": access.can_improve(request.user),
            "can_start": access.can_write(request.user),
        },
    )


@kept_offline
@role_required(*access.READERS)
def inspection_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    inspection = access.get_inspection(request.user, request.center, pk)
    if inspection.is_draft and access.can_edit(request.user, inspection):
        return redirect("inspections:inspection-edit", inspection.pk)
    answers = list(
        inspection.answers.select_related("finding__rectification").prefetch_related("photos")
    )
    history = (
        access.visible_inspections(request.user, request.center)
        .submitted()
        .filter(zone_id=inspection.zone_id)
        .order_by("-inspected_on", "-pk")[:10]
    )
    attach_panels(request, inspection, answers)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "answers": answers,
            "failed": [a for a in answers if a.is_failed],
            "score": score_answers(answers, InspectionSettings.for_center(inspection.center_id)),
            "pillar_rows": queries.pillar_rows(inspection),
            "history": history,
        },
    )


@role_required(*access.READERS)
def finding_list(request: OnsiteRequest) -> HttpResponse:
    picked, query = queries.picked_filters(request.GET, ("repeat", "zone", "pillar", "open"))
    rows = queries.filter_findings(
        access.visible_findings(request.user, request.center).select_related(
            "zone", "inspection__inspector", "rectification"
        ),
        picked,
    )
    rows, sort = sort_rows(rows, request, keys=FINDING_SORTS, default="-date")
    return render(
        request,
        "inspections/finding_list.html",
        {
            "page": _page(request, rows),
            "sort": sort,
            "sort_columns": [("date", _("Date")), ("zone", _("Zone")),
                             ("severity", _("Severity")), ("deduction", _("Deduction"))],
            "picked": picked,
            "query": query,
            "pillars": Pillar.choices,
            "can_improve": access.can_improve(request.user),
        },
    )  # fmt: skip


@role_required(*access.READERS)
@answers_refusals
def finding_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    finding = access.get_finding(request.user, request.center, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST":
        actions.check_propose(request.user)
        if form.is_valid():
            try:
                proposal = actions.do_propose(
                    findings=[finding],
                    by=request.user,
                    proposal=form.cleaned_data["proposal"],
                    request=request,
                )
            except Refusal as refusal:
                form.add_error(None, str(refusal.message))
                return _shown(request, _finding_page(request, finding, form), refusal)
            messages.success(request, _("A draft of the standard now carries this proposal."))
            return redirect("inspections:proposal-detail", proposal.pk)
    return _finding_page(request, finding, form)


def _finding_page(request: OnsiteRequest, finding: Any, form: ProposalForm) -> HttpResponse:
    return render(
        request,
        "inspections/finding_detail.html",
        {
            "finding": finding,
            "photos": list(finding.answer.photos.all()),
            "rectification": getattr(finding, "rectification", None),
            "form": form,
            "can_improve": access.can_improve(request.user),
        },
    )


@role_required(*access.IMPROVERS, write=True)
@answers_refusals
def recurring_checks(request: OnsiteRequest) -> HttpResponse:
    """Checks failed again and again (twice or more in the last 90 days) per area type:
    candidates for improving the standard itself."""
    base = queries.recent_findings(request.center)
    if request.method == "POST":
        actions.check_propose(request.user)
        form = ProposalForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what should change in the standard and why."))
        else:
            findings = queries.recurring_findings(
                base,
                area_type=request.POST.get("area_type", ""),
                key=request.POST.get("check_key", ""),
            )
            try:
                proposal = actions.do_propose(
                    findings=findings, by=request.user, proposal=form.cleaned_data["proposal"],
                    request=request,
                )  # fmt: skip
            except Refusal as refusal:
                messages.error(request, str(refusal.message))
                return _shown(request, _recurring_page(request, base), refusal)
            messages.success(request, _("A draft of the standard now carries this proposal."))
            return redirect("inspections:proposal-detail", proposal.pk)
    return _recurring_page(request, base)


def _recurring_page(request: OnsiteRequest, base: Any) -> HttpResponse:
    return render(
        request,
        "inspections/recurring.html",
        {
            "groups": queries.recurring_groups(base),
            "window": RECURRING_WINDOW_DAYS,
            "form": ProposalForm(),
        },
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
@answers_refusals
def settings_edit(request: OnsiteRequest) -> HttpResponse:
    current = InspectionSettings.for_center(request.center.pk if request.center else 0)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        actions.check_update_settings(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_settings(
                settings=current,
                by=request.user,
                data=form.cleaned_data,
                expected_version=form.cleaned_data.get("row_version") or current.version,
                request=request,
            )
        except Refusal as refusal:
            form.add_error(None, str(refusal.message))
            return _shown(request, _settings_page(request, form, current), refusal)
        messages.success(request, _("Saved."))
        return redirect("inspections:settings")
    return _settings_page(request, form, current)


def _settings_page(
    request: OnsiteRequest, form: SettingsForm, current: InspectionSettings
) -> HttpResponse:
    return render(request, "inspections/settings.html", {"form": form, "settings": current})
