from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org import access, services
from onsite.org.forms import GroupForm, MemberForm
from onsite.org.models import Group, Membership
from onsite.org.queries import ROLE_ORDER, programme_standing, standing_of, suggest_members
from onsite.org.views.common import center_of, repeat_of, show_error


@role_required(*access.EVERYONE)
def group_list(request: OnsiteRequest) -> HttpResponse:
    """The whole programme at a glance: every group, and each working group against 1:3."""
    return render(
        request,
        "org/group_list.html",
        {
            "programme": programme_standing(request.center),
            "can_edit": access.can_edit_groups(request.user),
        },
    )


def _detail_context(request: OnsiteRequest, group: Group, **extra: Any) -> dict[str, Any]:
    members = sorted(
        group.memberships.select_related("user__unit"),
        key=lambda m: (ROLE_ORDER[Membership.Role(m.role)], m.user.username),
    )
    can_edit = access.can_edit_groups(request.user)
    standing = standing_of(group)
    suggestions = suggest_members(group)[: max(standing.shortfall, 3)] if can_edit else []
    context = {
        "group": group,
        "standing": standing,
        "members": members,
        "units": group.units.order_by("kind", "position", "code"),
        "children": group.children.order_by("position", "code"),
        "suggestions": suggestions,
        "can_edit": can_edit,
        "member_form": MemberForm(center=group.center) if can_edit else None,
    }
    context.update(extra)
    return context


@role_required(*access.EVERYONE)
def group_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    group = access.get_group(request.center, code)
    return render(request, "org/group_detail.html", _detail_context(request, group))


@role_required(*access.GROUP_EDITORS, write=True)
def group_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    if first := repeat_of(request, "org.group"):
        return redirect(
            "org:group-detail", get_for_center(Group.objects.all(), center, pk=first).code
        )
    initial: dict[str, Any] = {}
    if parent_code := request.GET.get("parent"):
        parent = Group.objects.filter(center=center, code=parent_code).first()
        if parent is not None:
            initial["parent"] = parent
            initial["kind"] = {
                Group.Kind.LEADERSHIP: Group.Kind.PROMOTION,
                Group.Kind.PROMOTION: Group.Kind.WORKING,
            }.get(Group.Kind(parent.kind), Group.Kind.WORKING)
    form = GroupForm(request.POST or None, center=center, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.create_group(
                request,
                center=center,
                data=data,
                units=data.get("units") or [],
                submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Group %(name)s created.") % {"name": group.name})
            return redirect("org:group-detail", group.code)
    return render(request, "org/group_form.html", {"form": form})


@role_required(*access.GROUP_EDITORS, write=True)
def group_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    center = center_of(request)
    group = access.get_group(center, code)
    form = GroupForm(
        request.POST or None,
        center=center,
        group=group,
        initial={
            "code": group.code,
            "name": group.name,
            "kind": group.kind,
            "parent": group.parent,
            "position": group.position,
            "units": list(group.units.all()),
            "version": group.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_group(
                request,
                group=group,
                data=data,
                expected_version=form.expected_version(),
                units=data["units"] if group.is_working else None,
            )
        except (ValidationError, ConflictError) as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:group-detail", group.code)
    return render(request, "org/group_form.html", {"form": form, "group": group})


@role_required(*access.GROUP_EDITORS, write=True)
@require_POST
def member_add(request: OnsiteRequest, code: str) -> HttpResponse:
    center = center_of(request)
    group = access.get_group(center, code)
    form = MemberForm(request.POST, center=center)
    if form.is_valid():
        person = form.cleaned_data["user"]
        try:
            services.set_membership(
                request, group=group, person=person, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(person)s is in %(group)s.")
                % {"person": person.display_name, "group": group.name},
            )
            return redirect("org:group-detail", group.code)
    # The page again with the reason, and the choice the user made still selected.
    group = access.get_group(center, code)
    context = _detail_context(request, group, member_form=form)
    return render(request, "org/group_detail.html", context, status=400)


@role_required(*access.GROUP_EDITORS, write=True)
@require_POST
def member_remove(request: OnsiteRequest, code: str, username: str) -> HttpResponse:
    group = access.get_group(request.center, code)
    person = access.get_person(request.center, username)
    if services.remove_membership(request, group=group, person=person):
        messages.success(
            request,
            _("%(person)s left %(group)s.") % {"person": person.display_name, "group": group.name},
        )
    return redirect("org:group-detail", group.code)
