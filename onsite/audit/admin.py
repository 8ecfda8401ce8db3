from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onsite.audit.models import AuditArchive, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The audit trail is append-only: the admin site shows it and changes nothing (the
    database triggers would refuse anyway)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "center", "actor_name", "role", "action", "outcome", "ip")
    list_filter = ("outcome", "center")
    search_fields = ("action", "actor_name", "object_repr", "request_id")
    list_select_related = ("center",)


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ("seq_from", "seq_to", "rows", "file_name", "archived_at")
