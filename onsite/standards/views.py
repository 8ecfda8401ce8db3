"""Pages of the standards app: area types, standards and their versions, clause and item
rule editing, publishing, diffs, the plan, PDFs, Excel exchange, the item catalogue, item
filings and the zone page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.accounts.models import Role
from onsite.core.access import answers_refusals, role_required
from onsite.core.job_views import background_file
from onsite.core.jobs import queue_file_job
from onsite.core.models import get_for_center
from onsite.core.offline import kept_offline
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org.models import AreaType, Zone
from onsite.standards import access, actions, handbook, starter
from onsite.standards.access import EDITORS, FILERS, READERS, REVIEWERS, TAGGER_ROLES
from onsite.standards.exchange import ImportFailedError, export_version, import_standards
from onsite.standards.forms import (
    AreaTypeForm,
    ClauseForm,
    FilingForm,
    ImportForm,
    ItemForm,
    ItemRuleForm,
    ReviewForm,
    VersionSettingsForm,
)
from onsite.standards.layout import build_plan, render_plan_svg
from onsite.standards.models import FilingQuerySet, Item, ItemFiling, Standard, StandardVersion
from onsite.standards.pdf import (
    LABELS_JOB,
    inline_labels,
    label_list,
    labels_filename,
    render_labels,
    render_pdf,
    visual_context,
)
from onsite.standards.queries import (
    diff_versions,
    effective_standard,
    group_by_pillar,
    version_contents,
)
from onsite.standards.services import StandardError

T = TypeVar("T")


def _error(request: OnsiteRequest, exc: Refusal) -> None:
    messages.error(request, str(exc.message))


def _saved(form: forms.BaseForm, write: Callable[[], T]) -> T | None:
    """Runs the action; a refusal of the input or the state is shown above the form."""
    try:
        return write()
    except (Conflict, Invalid) as refusal:
        form.add_error(None, str(refusal.message))
        return None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _version_url(version: StandardVersion) -> str:
    return reverse("standards:version-detail", args=[version.pk])


# --- area types and standards ---------------------------------------------------------------


@role_required(*READERS)
def standard_list(request: OnsiteRequest) -> HttpResponse:
    """Every area type of the center with its standard's published version and open drafts."""
    versions = StandardVersion.objects.filter(
        status__in=[StandardVersion.Status.PUBLISHED, StandardVersion.Status.DRAFT]
    ).order_by("number")
    area_types = (
        AreaType.objects.filter(center=request.center)
        .annotate(zone_count=Count("zones", filter=Q(zones__is_active=True)))
        .select_related("standard")
        .prefetch_related(Prefetch("standard__versions", queryset=versions, to_attr="current"))
    )
    rows = []
    for area_type in area_types:
        standard = getattr(area_type, "standard", None)
        current = standard.current if standard else []
        rows.append(
            {
                "area_type": area_type,
                "published": next((v for v in current if v.is_published), None),
                "drafts": [v for v in current if v.is_draft],
            }
        )
    return render(
        request,
        "standards/standard_list.html",
        {"rows": rows, "can_edit": access.can_edit_standards(request.user)},
    )


@role_required(*EDITORS, write=True)
@answers_refusals
def area_type_edit(request: OnsiteRequest, code: str | None = None) -> HttpResponse:
    center = actions.check_edit_standards(request)
    area_type = access.get_area_type(center, code) if code else None
    form = AreaTypeForm(request.POST or None, instance=area_type)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_area_type(
                center=center, area_type=area_type, data=form.cleaned_data,
                by=actions.actor(request), request=request,
            )  # fmt: skip
        except StandardError as exc:
            form.add_error("code", str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("standards:standard-detail", code=saved.code)
    return render(request, "standards/area_type_form.html", {"form": form, "area_type": area_type})


@role_required(*READERS)
def standard_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    area_type = access.get_area_type(request.center, code)
    standard = Standard.objects.filter(area_type=area_type).first()
    versions = (
        list(standard.versions.select_related("published_by", "created_by")) if standard else []
    )
    published = next((v for v in versions if v.is_published), None)
    context: dict[str, Any] = {
        "area_type": area_type,
        "standard": standard,
        "versions": versions,
        "published": published,
        "can_edit": access.can_edit_standards(request.user),
    }
    if published is not None:
        clauses, rules = version_contents(published)
        context |= {
            "clauses_by_pillar": group_by_pillar(clauses),
            "rules": rules,
            "plan_svg": render_plan_svg(published, rules),
        }
    return render(request, "standards/standard_detail.html", context)


@require_POST
@role_required(*EDITORS, write=True)
@answers_refusals
def revision_start(request: OnsiteRequest, code: str) -> HttpResponse:
    area_type = access.get_area_type(actions.check_edit_standards(request), code)
    note = request.POST.get("note", "").strip()[:1000]
    draft = actions.do_start_revision(
        area_type=area_type, by=actions.actor(request), note=note, request=request
    )
    messages.success(
        request, _("Draft v%(number)s is open for editing.") % {"number": draft.number}
    )
    return redirect(_version_url(draft))


# --- versions -------------------------------------------------------------------------------


@role_required(*READERS)
def version_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(request.center, pk)
    clauses, rules = version_contents(version)
    plan = build_plan(version, rules)
    can_edit = access.can_edit_standards(request.user) and version.is_draft
    others = StandardVersion.objects.filter(standard_id=version.standard_id).exclude(pk=version.pk)
    context = {
        "version": version,
        "area_type": version.standard.area_type,
        "clauses_by_pillar": group_by_pillar(clauses),
        "clause_count": len(clauses),
        "rules": rules,
        "plan": plan,
        "plan_svg": render_plan_svg(version, rules),
        "can_edit": can_edit,
        "others": list(others.only("pk", "number", "status")),
        "can_revise": access.can_edit_standards(request.user) and version.is_published,
    }
    return render(request, "standards/version_detail.html", context)


def _row_version(request: OnsiteRequest, default: int = 0) -> int:
    """The version of the row the form was based on (a broken value matches no row)."""
    try:
        return int(request.POST.get("row_version", "") or default)
    except ValueError:
        return -1


def _draft_or_back(request: OnsiteRequest, version: StandardVersion) -> HttpResponse | None:
    """None for a draft; for a published version, the way back to it with the reason."""
    try:
        actions.check_draft(version)
    except Conflict as refusal:
        _error(request, refusal)
        return redirect(_version_url(version))
    return None


@role_required(*EDITORS, write=True)
@answers_refusals
def version_settings(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(actions.check_edit_standards(request), pk)
    if back := _draft_or_back(request, version):
        return back
    form = VersionSettingsForm(
        request.POST or None, instance=version, initial={"row_version": version.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: actions.do_update_version_settings(
            version=version, data=data, expected_version=data["row_version"],
            by=actions.actor(request), request=request,
        )):  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect(_version_url(version))
    return render(request, "standards/version_settings.html", {"form": form, "version": version})


@require_POST
@role_required(*EDITORS, write=True)
@answers_refusals
def version_publish(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(actions.check_edit_standards(request), pk)
    try:
        actions.do_publish_version(
            version=version, by=actions.actor(request), expected_version=_row_version(request, -1),
            request=request,
        )  # fmt: skip
    except (Conflict, Invalid) as exc:
        _error(request, exc)
        return redirect(_version_url(version))
    messages.success(
        request,
        _("Version %(number)s is published; the previous version is retired.")
        % {"number": version.number},
    )
    return redirect("standards:standard-detail", code=version.standard.area_type.code)


@require_POST
@role_required(*EDITORS, write=True)
@answers_refusals
def version_discard(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(actions.check_edit_standards(request), pk)
    try:
        actions.do_discard_draft(
            version=version, expected_version=_row_version(request), by=actions.actor(request),
            request=request,
        )  # fmt: skip
    except (Conflict, Invalid) as exc:
        _error(request, exc)
        return redirect(_version_url(version))
    messages.success(request, _("The draft was discarded."))
    return redirect("standards:standard-detail", code=version.standard.area_type.code)


@role_required(*READERS)
def version_diff(request: OnsiteRequest, pk: int) -> HttpResponse:
    new = access.get_version(request.center, pk)
    against = request.GET.get("against", "")
    if against.isdigit():
        old = get_for_center(
            StandardVersion.objects.filter(standard_id=new.standard_id),
            request.center,
            pk=int(against),
        )
    elif new.based_on is not None:
        old = new.based_on
    else:
        messages.info(request, _("This version is not based on another one; choose one."))
        return redirect(_version_url(new))
    others = StandardVersion.objects.filter(standard_id=new.standard_id).exclude(pk=new.pk)
    return render(
        request,
        "standards/version_diff.html",
        {"diff": diff_versions(old, new), "version": new, "others": others},
    )


@role_required(*READERS)
def version_plan(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(request.center, pk)
    _clauses, rules = version_contents(version)
    svg = render_plan_svg(version, rules)
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{svg}', content_type="image/svg+xml"
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@role_required(*READERS)
def version_pdf(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The one-page visual standard to print and post at the window."""
    version = access.get_version(request.center, pk)
    clauses, rules = version_contents(version)
    content = render_pdf(
        "standards/visual_standard_pdf.html",
        visual_context(version, clauses=clauses, rules=rules, center=request.center),
        stylesheet="standards/print.css",
    )
    area = version.standard.area_type.code
    return _pdf_response(content, f"standard-{area}-v{version.number}.pdf")


@role_required(*READERS)
def handbook_pdf(request: OnsiteRequest) -> HttpResponse:
    """Every current published standard of the center in one PDF (执行标准汇编); a center
    with many standards gets it from the task worker."""
    count = handbook.count_standards(request.center)
    if count > handbook.inline_standards() and request.center is not None:
        center = request.center
        return background_file(
            request,
            title=_("Standards handbook"),
            count=count,
            queue=lambda: queue_file_job(
                center=center, by=request.user, kind=handbook.HANDBOOK_JOB, params={}
            ),
            back_url=reverse("standards:standard-list"),
        )
    return _pdf_response(handbook.render_handbook(request.center), handbook.filename())


@role_required(*READERS)
def version_labels(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Position labels (item, zone, quantity) for each zone of the area type, or one zone."""
    version = access.get_version(request.center, pk)
    zone_code = request.GET.get("zone", "")
    labels = label_list(version, zone_code=zone_code)
    if len(labels) > inline_labels():
        return background_file(
            request,
            title=_("Position labels"),
            count=len(labels),
            queue=lambda: queue_file_job(
                center=version.center,
                by=request.user,
                kind=LABELS_JOB,
                params={"version": version.pk, "zone": zone_code},
            ),
            back_url=reverse("standards:version-detail", args=[version.pk]),
        )
    content = render_labels(version, labels)
    return _pdf_response(content, labels_filename(version))


@role_required(*READERS)
def version_export(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = access.get_version(request.center, pk)
    content = export_version(version)
    response = HttpResponse(
        content,
        content_type=XLSX,
    )
    area = version.standard.area_type.code
    response["Content-Disposition"] = (
        f'attachment; filename="standard-{area}-v{version.number}.xlsx"'
    )
    return response


def _imported(request: OnsiteRequest, drafts: list[StandardVersion]) -> HttpResponse:
    if len(drafts) == 1:
        messages.success(
            request, _("Imported as draft v%(number)s.") % {"number": drafts[0].number}
        )
        return redirect(_version_url(drafts[0]))
    messages.success(
        request,
        _("Imported %(count)s drafts: %(names)s. Review and publish each.")
        % {"count": len(drafts), "names": ", ".join(d.standard.area_type.name for d in drafts)},
    )
    return redirect("standards:standard-list")


@role_required(*EDITORS, write=True)
@answers_refusals
def version_import(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_standards(request)
    form = ImportForm(request.POST or None, request.FILES or None, center=center)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            drafts = import_standards(
                center=center, area_type=form.cleaned_data["area_type"],
                content=form.cleaned_data["file"].read(), by=actions.actor(request),
                request=request,
            )  # fmt: skip
        except ImportFailedError as exc:
            errors = exc.errors
            messages.error(request, _("Nothing was imported. Correct the rows below and retry."))
        else:
            return _imported(request, drafts)
    return render(request, "standards/version_import.html", {"form": form, "errors": errors})


@role_required(*EDITORS, write=True)
def starter_workbook(request: OnsiteRequest) -> HttpResponse:
    """The source document's three standards, for a new center to import and adapt."""
    response = HttpResponse(starter.starter_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="onsite-starter-standards.xlsx"'
    return response


# --- clauses and item rules of a draft -------------------------------------------------------


@role_required(*EDITORS, write=True)
@answers_refusals
def clause_edit(
    request: OnsiteRequest, version_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    center = actions.check_edit_standards(request)
    clause = access.get_clause(center, pk) if pk else None
    version = clause.standard_version if clause else access.get_version(center, version_pk)  # type: ignore[arg-type]
    if back := _draft_or_back(request, version):
        return back
    initial = (
        {"row_version": clause.version} if clause else {"position": version.clauses.count() + 1}
    )
    form = ClauseForm(request.POST or None, instance=clause, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: actions.do_save_clause(
            standard_version=version, clause=clause, data=data,
            expected_version=data.get("row_version"), by=actions.actor(request), request=request,
        )):  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect(_version_url(version) + "#clauses")
    context = {"form": form, "version": version, "clause": clause}
    return render(request, "standards/clause_form.html", context)


@require_POST
@role_required(*EDITORS, write=True)
@answers_refusals
def clause_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    clause = access.get_clause(actions.check_edit_standards(request), pk)
    try:
        actions.do_delete_clause(
            clause=clause, expected_version=_row_version(request), by=actions.actor(request),
            request=request,
        )  # fmt: skip
    except (Conflict, Invalid) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The clause was removed."))
    return redirect(_version_url(clause.standard_version) + "#clauses")


@role_required(*EDITORS, write=True)
@answers_refusals
def rule_edit(
    request: OnsiteRequest, version_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    center = actions.check_edit_standards(request)
    rule = access.get_item_rule(center, pk) if pk else None
    version = rule.standard_version if rule else access.get_version(center, version_pk)  # type: ignore[arg-type]
    if back := _draft_or_back(request, version):
        return back
    initial: dict[str, Any] = {"row_version": rule.version} if rule else {}
    form = ItemRuleForm(request.POST or None, instance=rule, initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: actions.do_save_item_rule(
            standard_version=version, rule=rule, data=data,
            expected_version=data.get("row_version"), by=actions.actor(request), request=request,
        )):  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect(_version_url(version) + "#items")
    return render(
        request, "standards/rule_form.html", {"form": form, "version": version, "rule": rule}
    )


@require_POST
@role_required(*EDITORS, write=True)
@answers_refusals
def rule_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    rule = access.get_item_rule(actions.check_edit_standards(request), pk)
    try:
        actions.do_delete_item_rule(
            rule=rule, expected_version=_row_version(request), by=actions.actor(request),
            request=request,
        )  # fmt: skip
    except (Conflict, Invalid) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The item rule was removed."))
    return redirect(_version_url(rule.standard_version) + "#items")


# --- item catalogue -------------------------------------------------------------------------


@role_required(*READERS)
def item_list(request: OnsiteRequest) -> HttpResponse:
    items = Item.objects.filter(center=request.center).annotate(
        filing_count=Count("filings", filter=Q(filings__status=ItemFiling.Status.APPROVED))
    )
    return render(
        request,
        "standards/item_list.html",
        {"items": items, "can_edit": access.can_edit_standards(request.user)},
    )


@role_required(*EDITORS, write=True)
@answers_refusals
def item_edit(request: OnsiteRequest, pk: int | None = None) -> HttpResponse:
    center = actions.check_edit_standards(request)
    item = get_for_center(Item.objects.all(), center, pk=pk) if pk else None
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: actions.do_save_item(
            center=center, item=item, data=data, by=actions.actor(request), request=request
        )):  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect("standards:item-list")
    return render(request, "standards/item_form.html", {"form": form, "item": item})


# --- item filings (报备) ----------------------------------------------------------------------

FILING_TABS = ["requested", "active", "expired", "all"]
FILING_SORTS: SortKeys = {
    "zone": "zone__code",
    "item": Coalesce("item__name", "item_name"),
    "quantity": "quantity",
    "valid": ("valid_to", "valid_from"),
    "status": by_choices("status", ItemFiling.Status.values),
    "filed": "filed_at",
}


def _filings(request: OnsiteRequest, tab: str) -> FilingQuerySet:
    rows = access.visible_filings(request.user, request.center).select_related(
        "zone", "item", "filed_by"
    )
    if tab == "requested":
        return rows.pending()
    if tab == "active":
        return rows.active()
    if tab == "expired":
        return rows.filter(status=ItemFiling.Status.APPROVED, valid_to__lt=timezone.localdate())
    return rows


@role_required(*READERS)
def filing_list(request: OnsiteRequest) -> HttpResponse:
    tab = request.GET.get("status", "requested")
    if tab not in FILING_TABS:
        tab = "requested"
    rows = _filings(request, tab).order_by("-filed_at")
    rows, sort = sort_rows(rows, request, keys=FILING_SORTS, default="-filed")
    template = "standards/filing_list.html"
    if request.htmx:
        template += "#filing-table"
    can_file = access.fileable_zones(request.user, request.center).exists()
    return render(
        request,
        template,
        {
            "filings": list(rows[:200]),
            "sort": sort,
            "tab": tab,
            "tabs": FILING_TABS,
            "can_file": can_file and not request.user.is_cross_center_viewer,
        },
    )


def _file(request: OnsiteRequest, data: dict[str, Any]) -> ItemFiling:
    return actions.do_file_item(
        zone=data["zone"], item=data["item"], item_name=data["item_name"],
        item_description=data["item_description"], quantity=data["quantity"], reason=data["reason"],
        valid_from=data["valid_from"], valid_to=data["valid_to"], by=actions.actor(request),
        submission_key=data["submission_key"], request=request,
    )  # fmt: skip


@kept_offline
@role_required(*FILERS, write=True)
@answers_refusals
def filing_new(request: OnsiteRequest) -> HttpResponse:
    zones = actions.check_file_item(request)
    initial: dict[str, Any] = {}
    if zone_code := request.GET.get("zone", ""):
        initial["zone"] = zones.filter(code=zone_code).first()
    form = FilingForm(request.POST or None, zones=zones, center=request.center, initial=initial)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filing = _saved(form, lambda: _file(request, data))
        if filing is not None:
            messages.success(request, _("Your filing was sent to the programme office."))
            return redirect("standards:filing-detail", pk=filing.pk)
    # Offline, the phone's outbox sends the form to the API instead.
    context = {"form": form, "outbox_url": reverse("api:create_filing")}
    return render(request, "standards/filing_form.html", context)


@role_required(*READERS)
def filing_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    filing = access.get_filing(request.user, request.center, pk)
    can_review = (
        access.can_review_filings(request.user) and filing.status == ItemFiling.Status.REQUESTED
    )
    review_form = (
        ReviewForm(initial={"row_version": filing.version}, filing=filing) if can_review else None
    )
    return render(
        request,
        "standards/filing_detail.html",
        {
            "filing": filing,
            "transitions": filing.transitions.select_related("by"),
            "review_form": review_form,
            "can_withdraw": access.can_withdraw(request.user, filing)
            and filing.status in (ItemFiling.Status.REQUESTED, ItemFiling.Status.APPROVED)
            and not filing.is_expired(),
        },
    )


@require_POST
@role_required(*REVIEWERS, write=True)
@answers_refusals
def filing_review(request: OnsiteRequest, pk: int) -> HttpResponse:
    filing = access.get_filing(request.user, actions.check_review_filings(request), pk)
    form = ReviewForm(request.POST, filing=filing)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_review_filing(
                filing=filing, approve=data["decision"] != "reject", comment=data["comment"],
                catalogue=form.catalogue(), expected_version=data["row_version"],
                by=actions.actor(request), request=request,
            )  # fmt: skip
        except (Conflict, Invalid) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("standards:filing-detail", pk=filing.pk)
    context = {
        "filing": filing,
        "transitions": filing.transitions.select_related("by"),
        "review_form": form,
        "can_withdraw": False,
    }
    status = 400 if form.errors else 200
    return render(request, "standards/filing_detail.html", context, status=status)


@require_POST
@role_required(*FILERS, write=True)
@answers_refusals
def filing_withdraw(request: OnsiteRequest, pk: int) -> HttpResponse:
    filing = access.get_filing(request.user, request.center, pk)
    actions.check_withdraw(request, filing)
    try:
        actions.do_withdraw_filing(
            filing=filing, expected_version=_row_version(request), by=actions.actor(request),
            request=request,
        )  # fmt: skip
    except (Conflict, Invalid) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The filing was withdrawn."))
    return redirect("standards:filing-detail", pk=filing.pk)


# --- the zone page ------------------------------------------------------------------------


@kept_offline
@role_required(*Role.values)
def zone_page(request: OnsiteRequest, code: str) -> HttpResponse:
    """What a zone's QR card opens on a phone: the zone's effective standard (plan, items,
    clauses, active filings, owner). Also how a newcomer learns the window they take over."""
    zone = get_for_center(
        Zone.objects.select_related("area_type", "unit", "owner", "floor"),
        request.center,
        code=code,
    )
    effective = effective_standard(zone)
    version = effective.version
    return render(
        request,
        "standards/zone_page.html",
        {
            "zone": zone,
            "effective": effective,
            "version": version,
            "plan_svg": render_plan_svg(version, effective.item_rules) if version else None,
            "can_file": access.fileable_zones(request.user, request.center)
            .filter(pk=zone.pk)
            .exists()
            and not request.user.is_cross_center_viewer,
            # 整理 starts where people stand: an unneeded item seen here is tagged from here.
            "can_tag": request.user.has_role(*TAGGER_ROLES)
            and not request.user.is_cross_center_viewer,
        },
    )
