from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from onsite.accounts.models import User


class Center(models.Model):
    """A service center (行政服务中心): the tenant key carried by every row."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


_M = TypeVar("_M", bound=models.Model)


class CenterQuerySet(models.QuerySet[_M]):
    def for_center(self, center: Center | int) -> CenterQuerySet[_M]:
        return self.filter(center=center)


class CenterScoped(models.Model):
    """Abstract base of every tenant row: the center is never optional."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, verbose_name=_("service center"))

    class Meta:
        abstract = True


def get_for_center(queryset: models.QuerySet[_M], center: Center | None, /, **lookup: Any) -> _M:
    """The one door to a tenant object: anything outside the center is a 404, never a 403,
    so a user cannot even learn that another center's object exists."""
    if center is None:
        raise Http404
    try:
        return queryset.get(center=center, **lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def visible_centers(user: User) -> models.QuerySet[Center]:
    if not user.is_authenticated:
        return Center.objects.none()
    if user.is_cross_center_viewer:
        return user.viewable_centers.all()
    if user.center_id is None:
        return Center.objects.none()
    return Center.objects.filter(pk=user.center_id)


class SubmissionKey(models.Model):
    """A client-made key (a UUID in the form or the Idempotency-Key header) that makes a submit
    safe to repeat: the first one creates the object, every repeat gets the same object."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    scope = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="submission_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
