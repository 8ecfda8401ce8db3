"""The front door of the notifications' writes, shared by the bell's pages and the API: a
person marks their own notifications read (nothing to refuse beyond signing in: nobody can
reach another person's notification, it is simply not found), and the center admin edits
and tests the center's work-chat settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.access import may
from onsite.core.concurrency import ConflictError, save_versioned
from onsite.core.models import Center
from onsite.core.refusals import Invalid, NotAllowed
from onsite.core.roles import Role
from onsite.notifications import workchat
from onsite.notifications.models import (
    CHAT_FIELDS,
    SECRET_FIELDS,
    Channel,
    ChatDelivery,
    Notification,
    WorkChatSettings,
)


def do_open(user: User, pk: int) -> Notification | None:
    """Marks one of the caller's notifications read; None if it is not theirs or is gone."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    return notification


def do_read_all(user: User) -> int:
    """Marks every unread notification of the caller read; returns how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())


# --- work-chat settings (center admin) -------------------------------------------------------

CHAT_EDITORS = (Role.ADMIN,)
TEST_KIND = "workchat.test"


def check_edit_chat(user: User) -> None:
    if not may(user, CHAT_EDITORS, write=True) or user.center_id is None:
        raise NotAllowed


def chat_settings(center: Center) -> WorkChatSettings:
    """The center's row, or an unsaved one with the defaults."""
    return WorkChatSettings.objects.filter(center=center).first() or WorkChatSettings(center=center)


def _check_complete(config: WorkChatSettings) -> None:
    for enabled, robot, app, parts in (
        (config.wecom_enabled, config.wecom_robot_url, config.wecom_has_app,
         (config.wecom_corpid, config.wecom_corpsecret, config.wecom_agentid)),
        (config.dingtalk_enabled, config.dingtalk_robot_url, config.dingtalk_has_app,
         (config.dingtalk_appkey, config.dingtalk_appsecret, config.dingtalk_agent_id)),
    ):  # fmt: skip
        if any(parts) and not app:
            raise Invalid(_("Fill in all three of the app's fields, or none of them."))
        if enabled and not robot and not app:
            raise Invalid(_("A service that is switched on needs a group robot or an app."))
    for agent in (config.wecom_agentid, config.dingtalk_agent_id):
        if agent and not agent.isdigit():
            raise Invalid(_("The AgentId is a number."))


@transaction.atomic
def do_update_chat(
    *,
    center: Center,
    by: User,
    data: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> WorkChatSettings:
    """Saves the center's work-chat settings. A secret left empty keeps the stored one (the
    page never shows it back); `clear_<name>` removes it. The audit row names what changed,
    never a secret's value."""
    check_edit_chat(by)
    config = chat_settings(center)
    changed: dict[str, Any] = {}
    for name in CHAT_FIELDS:
        if name in SECRET_FIELDS:
            value = "" if data.get(f"clear_{name}") else (data.get(name) or getattr(config, name))
        else:
            value = data[name]
        if value != getattr(config, name):
            changed[name] = "(secret)" if name in SECRET_FIELDS else value
            setattr(config, name, value)
    _check_complete(config)
    config.updated_by = by
    if config.pk is not None and expected_version == 0:
        raise ConflictError  # the form was opened before the first save
    if config.pk is None:
        try:
            with transaction.atomic():
                config.save()
        except IntegrityError as exc:  # another admin saved the first settings meanwhile
            raise ConflictError from exc
    else:
        save_versioned(
            config, expected_version=expected_version,
            fields=[*CHAT_FIELDS, "updated_by", "updated_at"],
        )  # fmt: skip
    record_event(
        request, action="notifications.work_chat_changed", obj=config, actor=by, center=center,
        detail={"changed": changed},
    )  # fmt: skip
    return config


@dataclass(frozen=True)
class TestOutcome:
    channel: str
    target: str
    error: str  # empty: sent


def do_send_test(
    *, center: Center, by: User, request: HttpRequest | None = None
) -> list[TestOutcome]:
    """Sends a test message now (not through the task worker: the admin waits for the
    answer) to every target the saved settings have: each group robot, and a work notice
    to the admin themself where their account has the user id."""
    check_edit_chat(by)
    config = WorkChatSettings.objects.filter(center=center).first()
    if config is None:
        raise Invalid(_("Save the settings first."))
    with translation.override(settings.LANGUAGE_CODE):
        text = workchat.Text(
            title=f"{center.name} · Onsite",
            body=str(_("Test message from Onsite: work-chat messages reach this place.")),
            link=workchat.absolute("/"),
        )
        no_id = str(_("Your account has no user id for this service."))
    outcomes: list[TestOutcome] = []
    for channel in (Channel.WECOM, Channel.DINGTALK):
        if config.has_group_target(channel):
            outcomes.append(
                _try(
                    channel,
                    ChatDelivery.Target.GROUP,
                    partial(workchat.send_group, config, channel, text),
                )
            )
        if not config.has_person_target(channel):
            continue
        userid = getattr(by, workchat.userid_field(channel))
        send = partial(workchat.send_person, config, channel, [userid], text)
        outcomes.append(
            _try(channel, ChatDelivery.Target.PERSON, send)
            if userid
            else TestOutcome(channel, ChatDelivery.Target.PERSON, no_id)
        )
    if not outcomes:
        raise Invalid(_("Nothing to test: switch a service on and give it a robot or an app."))
    record_event(
        request, action="notifications.work_chat_tested", obj=config, actor=by, center=center,
        detail={"results": [{"channel": o.channel, "target": o.target, "error": o.error}
                            for o in outcomes]},
    )  # fmt: skip
    return outcomes


def _try(channel: str, target: str, send: Callable[[], None]) -> TestOutcome:
    try:
        send()
    except workchat.ChatError as exc:
        return TestOutcome(channel, target, str(exc))
    return TestOutcome(channel, target, "")


def recent_failures(center: Center, limit: int = 20) -> list[ChatDelivery]:
    return list(
        ChatDelivery.objects.filter(center=center, status=ChatDelivery.Status.FAILED).order_by(
            "-updated_at", "-pk"
        )[:limit]
    )
