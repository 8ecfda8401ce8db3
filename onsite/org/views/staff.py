from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onsite.accounts.models import Role, RoleGrant, User
from onsite.core.access import answers_refusals, role_required
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import Conflict, Invalid
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions, services
from onsite.org.forms import PhotoForm, StaffForm
from onsite.org.models import Membership, StaffPhoto, Unit
from onsite.org.views.common import repeat_of, saved

PAGE_SIZE = 50
STAFF_SORTS: SortKeys = {
    "name": "full_name",
    "unit": ("unit__kind", "unit__position", "unit__code", "username"),
    "title": "title",
}


def _people(request: OnsiteRequest, *, query: str, unit_code: str, role: str) -> QuerySet[User]:
    """Staff narrowed by the search words, unit, role and (unless asked) active only."""
    people = access.staff_of(request.center).prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
        Prefetch("memberships", queryset=Membership.objects.select_related("group")),
    )
    if query:
        people = people.filter(
            Q(full_name__icontains=query) | Q(username__icontains=query) | Q(title__icontains=query)
        )
    if unit_code:
        people = people.filter(unit__code=unit_code)
    if role in Role.values:
        people = people.filter(role_grants__role=role)
    if request.GET.get("inactive") != "1":
        people = people.filter(is_active=True)
    return people.order_by("unit__kind", "unit__position", "unit__code", "username")


@role_required(*access.READERS)
def staff_list(request: OnsiteRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    unit_code, role = request.GET.get("unit", ""), request.GET.get("role", "")
    people = _people(request, query=query, unit_code=unit_code, role=role)
    people, sort = sort_rows(people, request, keys=STAFF_SORTS, default="unit")
    context = {
        "page": Paginator(people, PAGE_SIZE).get_page(request.GET.get("page")),
        "sort": sort,
        "query": query,
        "unit_code": unit_code,
        "role": role,
        "units": Unit.objects.filter(center=request.center),
        "roles": Role.choices,
        "can_edit": access.can_edit_org(request.user),
        "show_phone": access.can_see_phone(request.user),
    }
    template = "org/staff_list.html#results" if request.htmx else "org/staff_list.html"
    return render(request, template, context)


@role_required(*access.READERS)
def staff_detail(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(request.center, username)
    memberships = person.memberships.select_related("group").order_by("group__kind")
    zones = person.owned_zones.filter(is_active=True).select_related("area_type", "floor")
    return render(
        request,
        "org/staff_detail.html",
        {
            "person": person,
            "roles": [Role(role).label for role in Role.values if role in person.roles],
            "memberships": memberships,
            "zones": zones,
            "has_photo": StaffPhoto.objects.filter(user=person).exists(),
            "can_edit": access.can_edit_org(request.user),
            "show_phone": access.can_see_phone(request.user),
        },
    )


def _create(request: OnsiteRequest, center: Center, data: dict[str, Any]) -> User:
    return actions.do_create_staff(
        request,
        center=center,
        data=data,
        roles=data["roles"],
        password=data["password"],
        submission_key=data["submission_key"],
    )


def _update(request: OnsiteRequest, person: User, data: dict[str, Any]) -> User:
    return actions.do_update_staff(
        request,
        person=person,
        data={name: data[name] for name in services.STAFF_FIELDS},
        roles=data["roles"],
        fingerprint=data["version"],
        password=data["password"],
    )


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def staff_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_org(request)
    if first := repeat_of(request, "org.staff"):
        return redirect(
            "org:staff-detail", get_for_center(User.objects.all(), center, pk=first).username
        )
    initial: dict[str, object] = {"roles": [Role.STAFF]}
    if unit_code := request.GET.get("unit"):
        initial["unit"] = Unit.objects.filter(center=center, code=unit_code).first()
    form = StaffForm(request.POST or None, center=center, initial=initial)
    person = saved(request, form, lambda data: _create(request, center, data))
    if person is not None:
        messages.success(request, _("%(name)s added.") % {"name": person.display_name})
        return redirect("org:staff-detail", person.username)
    return render(request, "org/staff_form.html", {"form": form})


def _staff_initial(person: User) -> dict[str, object]:
    names = ("username", "full_name", "unit", "title", "phone", "staff_number", "wecom_userid",
             "dingtalk_userid", "is_active")  # fmt: skip
    initial: dict[str, object] = {name: getattr(person, name) for name in names}
    return initial | {"roles": sorted(person.roles), "version": services.staff_fingerprint(person)}


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def staff_edit(request: OnsiteRequest, username: str) -> HttpResponse:
    center = actions.check_edit_org(request)
    person = access.get_person(center, username)
    form = StaffForm(
        request.POST or None, center=center, person=person, initial=_staff_initial(person)
    )
    written = saved(request, form, lambda data: _update(request, person, data))
    if written is not None:
        messages.success(request, _("Saved."))
        return redirect("org:staff-detail", person.username)
    has_photo = StaffPhoto.objects.filter(user=person).exists()
    return render(
        request,
        "org/staff_form.html",
        {"form": form, "person": person, "photo_form": PhotoForm(), "has_photo": has_photo},
    )


@role_required(*access.ORG_EDITORS, write=True)
@require_POST
@answers_refusals
def staff_photo_upload(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(actions.check_edit_org(request), username)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
        return redirect("org:staff-edit", person.username)
    try:
        actions.do_set_staff_photo(request, person=person, upload=form.cleaned_data["photo"])
    except (Invalid, Conflict) as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, _("Photo saved."))
    return redirect("org:staff-edit", person.username)


@role_required(*access.ORG_EDITORS, write=True)
@require_POST
@answers_refusals
def staff_photo_remove(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(actions.check_edit_org(request), username)
    actions.do_remove_staff_photo(request, person=person)
    messages.success(request, _("Photo removed."))
    return redirect("org:staff-edit", person.username)


@never_cache
@role_required(*access.EVERYONE)
def staff_photo(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(request.center, username)
    photo = StaffPhoto.objects.filter(user=person).first()
    if photo is None:
        raise Http404
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    with stored.open("rb") as handle:  # at most 2048 px, re-encoded on upload
        return HttpResponse(handle.read(), content_type="image/jpeg")
