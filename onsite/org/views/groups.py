from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.models import Center, get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions
from onsite.org.forms import GroupForm, MemberForm
from onsite.org.models import Group, Membership
from onsite.org.queries import ROLE_ORDER, programme_standing, standing_of, suggest_members
from onsite.org.views.common import repeat_of, saved


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


def _new_group_initial(center: Center, parent_code: str) -> dict[str, Any]:
    """A group started from its parent's page sits under it, one level down."""
    parent = Group.objects.filter(center=center, code=parent_code).first() if parent_code else None
    if parent is None:
        return {}
    kind = {
        Group.Kind.LEADERSHIP: Group.Kind.PROMOTION,
        Group.Kind.PROMOTION: Group.Kind.WORKING,
    }.get(Group.Kind(parent.kind), Group.Kind.WORKING)
    return {"parent": parent, "kind": kind}


@role_required(*access.GROUP_EDITORS, write=True)
@answers_refusals
def group_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_groups(request)
    if first := repeat_of(request, "org.group"):
        return redirect(
            "org:group-detail", get_for_center(Group.objects.all(), center, pk=first).code
        )
    initial = _new_group_initial(center, request.GET.get("parent", ""))
    form = GroupForm(request.POST or None, center=center, initial=initial)
    group = saved(
        request,
        form,
        lambda data: actions.do_create_group(
            request,
            center=center,
            data=data,
            units=data.get("units") or [],
            submission_key=data["submission_key"],
        ),
    )
    if group is not None:
        messages.success(request, _("Group %(name)s created.") % {"name": group.name})
        return redirect("org:group-detail", group.code)
    return render(request, "org/group_form.html", {"form": form})


def _group_initial(group: Group) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "kind": group.kind,
        "parent": group.parent,
        "position": group.position,
        "units": list(group.units.all()),
        "version": group.version,
    }


@role_required(*access.GROUP_EDITORS, write=True)
@answers_refusals
def group_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    center = actions.check_edit_groups(request)
    group = access.get_group(center, code)
    form = GroupForm(
        request.POST or None, center=center, group=group, initial=_group_initial(group)
    )
    written = saved(
        request,
        form,
        lambda data: actions.do_update_group(
            request,
            group=group,
            data=data,
            expected_version=form.expected_version(),
            units=data["units"] if group.is_working else None,
        ),
    )
    if written is not None:
        messages.success(request, _("Saved."))
        return redirect("org:group-detail", group.code)
    return render(request, "org/group_form.html", {"form": form, "group": group})


@role_required(*access.GROUP_EDITORS, write=True)
@require_POST
@answers_refusals
def member_add(request: OnsiteRequest, code: str) -> HttpResponse:
    center = actions.check_edit_groups(request)
    group = access.get_group(center, code)
    form = MemberForm(request.POST, center=center)
    membership = saved(
        request,
        form,
        lambda data: actions.do_set_membership(
            request, group=group, person=data["user"], role=data["role"]
        ),
    )
    if membership is not None:
        messages.success(
            request,
            _("%(person)s is in %(group)s.")
            % {"person": membership.user.display_name, "group": group.name},
        )
        return redirect("org:group-detail", group.code)
    # The page again with the reason, and the choice the user made still selected.
    group = access.get_group(center, code)
    context = _detail_context(request, group, member_form=form)
    return render(request, "org/group_detail.html", context, status=400)


@role_required(*access.GROUP_EDITORS, write=True)
@require_POST
@answers_refusals
def member_remove(request: OnsiteRequest, code: str, username: str) -> HttpResponse:
    center = actions.check_edit_groups(request)
    group = access.get_group(center, code)
    person = access.get_person(center, username)
    if actions.do_remove_membership(request, group=group, person=person):
        messages.success(
            request,
            _("%(person)s left %(group)s.") % {"person": person.display_name, "group": group.name},
        )
    return redirect("org:group-detail", group.code)
