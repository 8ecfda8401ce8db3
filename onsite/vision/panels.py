"""The photo check under a check's photos on the inspection pages (registered with
`onsite.inspections.panels`): each analysed photo with its draft findings drawn over it, and
one-tap confirm / dismiss. Two queries per page, whatever the number of checks and photos."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from onsite.inspections.models import Answer, Inspection
from onsite.vision import access
from onsite.vision.models import DraftFinding, PhotoAnalysis


def page_of(inspection: Inspection, answer_id: int) -> str:
    """Where the inspection's check is shown: the checklist while a draft, else its page."""
    name = "inspections:inspection-edit" if inspection.is_draft else "inspections:inspection-detail"
    return reverse(name, args=[inspection.pk]) + f"#a{answer_id}"


def _boxes(draft: DraftFinding) -> None:
    draft.box = {  # type: ignore[attr-defined]
        "x": f"{draft.x * 100:.2f}%",
        "y": f"{draft.y * 100:.2f}%",
        "w": f"{draft.w * 100:.2f}%",
        "h": f"{draft.h * 100:.2f}%",
        "label_y": f"{max(draft.y * 100, 4.0):.2f}%",
    }


def render_panels(
    request: HttpRequest, inspection: Inspection, answers: Sequence[Answer]
) -> dict[int, str]:
    analyses = (
        PhotoAnalysis.objects.filter(
            center_id=inspection.center_id, photo__answer_id__in=[a.pk for a in answers]
        )
        .exclude(status=PhotoAnalysis.Status.SKIPPED)
        .select_related("photo")
        .prefetch_related(
            Prefetch("drafts", queryset=DraftFinding.objects.order_by("pk"), to_attr="shown")
        )
        .order_by("photo__uploaded_at", "pk")
    )
    by_answer: dict[int, list[PhotoAnalysis]] = defaultdict(list)
    for analysis in analyses:
        for draft in analysis.shown:
            draft.analysis = analysis
            _boxes(draft)
        by_answer[analysis.photo.answer_id].append(analysis)
    if not by_answer:
        return {}
    may_decide = access.can_decide(request.user, inspection)  # type: ignore[arg-type]
    return {
        answer_id: render_to_string(
            "vision/_answer_panel.html",
            {
                "answer_id": answer_id,
                "analyses": rows,
                "queued": any(a.is_queued for a in rows),
                "may_decide": may_decide,
                "back": page_of(inspection, answer_id),
            },
            request=request,
        )
        for answer_id, rows in by_answer.items()
    }
