from __future__ import annotations

import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onsite.audit.actions import action_label
from onsite.audit.wording import readable
from onsite.core.models import Center
from onsite.core.roles import Role

GENESIS = "0" * 64


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEvent(models.Model):
    """One append-only row per security event or business change, hash-chained: each row
    carries the previous row's hash, so an edited or removed row breaks the chain."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("service center")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["center", "-seq"], name="audit_center_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def object_text(self) -> str:
        """The object's stored description in the reader's language."""
        return readable(self.object_repr)

    @property
    def object_type_label(self) -> str:
        """The kind of object (the model's name) in the reader's language."""
        if not self.object_type:
            return ""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.object_type
        return str(model._meta.verbose_name)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome in Outcome.values else self.outcome

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.seq,
                self.at.isoformat(),
                self.center_id,
                self.actor_id,
                self.actor_name,
                self.role,
                self.ip,
                self.request_id,
                self.action,
                self.object_type,
                self.object_id,
                self.object_repr,
                self.outcome,
                self.detail,
                self.prev_hash,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class AuditArchive(models.Model):
    """A batch of old rows moved to an archive file before removal. The newest archive is the
    chain's anchor: the first row still in the table links to its `last_hash`, and new rows
    continue from it when the table is empty, so verification never needs the removed rows."""

    seq_from = models.PositiveBigIntegerField(_("first sequence"))
    seq_to = models.PositiveBigIntegerField(_("last sequence"), unique=True)
    last_hash = models.CharField(_("chain head"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    cutoff = models.DateTimeField(_("rows older than"))
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("file checksum"), max_length=64)
    archived_at = models.DateTimeField(_("archived at"))

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["-seq_to"]

    def __str__(self) -> str:
        return f"#{self.seq_from}–{self.seq_to} → {self.file_name}"


class AuditGate(models.Model):
    """Open only inside the transaction that archives (or wipes) audit rows: the database
    triggers refuse every DELETE on the audit tables unless a row exists here. The row is
    removed before that transaction commits, so no other connection ever sees it."""

    opened_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.reason
