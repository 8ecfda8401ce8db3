from django.urls import path, register_converter

from onsite.org.views import groups, staff, transfer, units, zones


class SignedInt:
    """Floor levels: basements are negative."""

    regex = "-?[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SignedInt, "level")

app_name = "org"
urlpatterns = [
    path("units/", units.unit_list, name="unit-list"),
    path("units/new/", units.unit_create, name="unit-create"),
    path("units/<slug:code>/", units.unit_detail, name="unit-detail"),
    path("units/<slug:code>/edit/", units.unit_edit, name="unit-edit"),
    path("staff/", staff.staff_list, name="staff-list"),
    path("staff/new/", staff.staff_create, name="staff-create"),
    path("staff/<str:username>/", staff.staff_detail, name="staff-detail"),
    path("staff/<str:username>/edit/", staff.staff_edit, name="staff-edit"),
    path("staff/<str:username>/photo/", staff.staff_photo, name="staff-photo"),
    path("staff/<str:username>/photo/upload/", staff.staff_photo_upload, name="staff-photo-upload"),
    path("staff/<str:username>/photo/remove/", staff.staff_photo_remove, name="staff-photo-remove"),
    path("groups/", groups.group_list, name="group-list"),
    path("groups/new/", groups.group_create, name="group-create"),
    path("groups/<slug:code>/", groups.group_detail, name="group-detail"),
    path("groups/<slug:code>/edit/", groups.group_edit, name="group-edit"),
    path("groups/<slug:code>/members/", groups.member_add, name="member-add"),
    path(
        "groups/<slug:code>/members/<str:username>/remove/",
        groups.member_remove,
        name="member-remove",
    ),
    path("zones/", zones.zone_list, name="zone-list"),
    path("zones/new/", zones.zone_create, name="zone-create"),
    path("zones/<slug:code>/", zones.zone_detail, name="zone-detail"),
    path("zones/<slug:code>/edit/", zones.zone_edit, name="zone-edit"),
    path("cards.pdf", zones.zone_cards, name="zone-cards"),
    path("plan/", zones.floor_plan, name="floor-plan"),
    path("plan/zones/<slug:code>/move/", zones.zone_move, name="zone-move"),
    path("plan/floors/new/", zones.floor_edit, name="floor-create"),
    path("plan/floors/<level:level>/edit/", zones.floor_edit, name="floor-edit"),
    path("area-types/", zones.area_type_list, name="area-type-list"),
    path("area-types/new/", zones.area_type_edit, name="area-type-create"),
    path("area-types/<slug:code>/edit/", zones.area_type_edit, name="area-type-edit"),
    path("import/", transfer.import_page, name="import"),
    path("import/template.xlsx", transfer.import_template, name="import-template"),
    path("export.xlsx", transfer.export_workbook, name="export"),
]
