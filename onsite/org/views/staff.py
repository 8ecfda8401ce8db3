from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onsite.accounts.models import Role, RoleGrant, User
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org import access, services
from onsite.org.forms import PhotoForm, StaffForm
from onsite.org.models import Membership, StaffPhoto, Unit
from onsite.org.views.common import center_of, repeat_of, show_error

PAGE_SIZE = 50
STAFF_SORTS: SortKeys = {
    "name": "full_name",
    "unit": ("unit__kind", "unit__position", "unit__code", "username"),
    "title": "title",
}


@role_required(*access.READERS)
def staff_list(request: OnsiteRequest) -> HttpResponse:
    people = access.staff_of(request.center).prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
        Prefetch("memberships", queryset=Membership.objects.select_related("group")),
    )
    query = request.GET.get("q", "").strip()[:50]
    unit_code = request.GET.get("unit", "")
    role = request.GET.get("role", "")
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
    people = people.order_by("unit__kind", "unit__position", "unit__code", "username")
    people, sort = sort_rows(people, request, keys=STAFF_SORTS, default="unit")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
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


@role_required(*access.ORG_EDITORS, write=True)
def staff_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    if first := repeat_of(request, "org.staff"):
        return redirect(
            "org:staff-detail",
            get_for_center(User.objects.all(), center, pk=first).username,
        )
    initial: dict[str, object] = {"roles": [Role.STAFF]}
    if unit_code := request.GET.get("unit"):
        initial["unit"] = Unit.objects.filter(center=center, code=unit_code).first()
    form = StaffForm(request.POST or None, center=center, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_staff(
                request,
                center=center,
                data=data,
                roles=data["roles"],
                password=data["password"],
                submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.display_name})
            return redirect("org:staff-detail", person.username)
    return render(request, "org/staff_form.html", {"form": form})


@role_required(*access.ORG_EDITORS, write=True)
def staff_edit(request: OnsiteRequest, username: str) -> HttpResponse:
    center = center_of(request)
    person = access.get_person(center, username)
    form = StaffForm(
        request.POST or None,
        center=center,
        person=person,
        initial={
            "username": person.username,
            "full_name": person.full_name,
            "unit": person.unit,
            "title": person.title,
            "phone": person.phone,
            "roles": sorted(person.roles),
            "is_active": person.is_active,
            "version": services.staff_fingerprint(person),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_staff(
                request,
                person=person,
                data={name: data[name] for name in services.STAFF_FIELDS},
                roles=data["roles"],
                fingerprint=data["version"],
                password=data["password"],
            )
        except (ValidationError, ConflictError) as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:staff-detail", person.username)
    photo_form = PhotoForm()
    has_photo = StaffPhoto.objects.filter(user=person).exists()
    return render(
        request,
        "org/staff_form.html",
        {"form": form, "person": person, "photo_form": photo_form, "has_photo": has_photo},
    )


@role_required(*access.ORG_EDITORS, write=True)
@require_POST
def staff_photo_upload(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(request.center, username)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            services.set_staff_photo(request, person=person, upload=form.cleaned_data["photo"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Photo saved."))
    return redirect("org:staff-edit", person.username)


@role_required(*access.ORG_EDITORS, write=True)
@require_POST
def staff_photo_remove(request: OnsiteRequest, username: str) -> HttpResponse:
    person = access.get_person(request.center, username)
    services.remove_staff_photo(request, person=person)
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
