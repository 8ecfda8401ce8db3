"""Sending to work chat: WeCom (企业微信) and DingTalk (钉钉), each through a group robot
(a webhook; DingTalk's signed with 加签) and an app's work notice to named people.

What goes where is decided when a batch of notifications is delivered (`plan_deliveries`):
one `ChatDelivery` row per target, then one task per row sends it (`send_delivery`). The
in-app rows are written before any of this, so a chat failure never loses them.

A group robot summary carries no personal data: the kind, how many people were notified and
a link to Onsite, nothing else (no name, no zone, no reason). A work notice carries the
person's own message, rendered in the center's language (settings.LANGUAGE_CODE)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from onsite.accounts.models import User
from onsite.notifications.models import (
    CHAT_KINDS,
    Channel,
    ChatDelivery,
    WorkChatSettings,
)

TIMEOUT = (5, 10)  # connect, read (seconds)
TOKEN_MARGIN = 300  # an access token is dropped this many seconds before it expires
# Errors that say the cached access token is no good any more: fetch a new one next time.
TOKEN_ERRORS = {40001, 40014, 42001, 88}


class ChatError(Exception):
    """The service did not take the message (the text is for the admin's list of failures)."""


class UndeliverableError(ChatError):
    """Nothing a retry would change: the channel was switched off, or nobody is mapped."""


def userid_field(channel: str) -> str:
    return "wecom_userid" if channel == Channel.WECOM else "dingtalk_userid"


# --- planning --------------------------------------------------------------------------------


def plan_deliveries(
    *,
    center_id: int,
    users: Iterable[User],
    kind: str,
    message: str,
    params: dict[str, Any],
    url: str,
    batch: str,
) -> list[int]:
    """Writes the delivery rows of one batch (once: a batch planned again finds its rows)
    and returns the ids of those still to send."""
    config = WorkChatSettings.objects.filter(center_id=center_id).first()
    people = list(users)
    if config is None or not people:
        return []
    route = config.route(kind)
    batch_id = uuid.UUID(batch) if batch else uuid.uuid4()
    rows: list[dict[str, Any]] = []
    for channel in (Channel.WECOM, Channel.DINGTALK):
        if route.to_person and config.has_person_target(channel):
            field = userid_field(channel)
            recipients = [u.pk for u in people if getattr(u, field)]
            if recipients:
                rows.append({"channel": channel, "target": ChatDelivery.Target.PERSON,
                             "recipients": recipients})  # fmt: skip
        if route.to_group and config.has_group_target(channel):
            rows.append({"channel": channel, "target": ChatDelivery.Target.GROUP,
                         "recipients": []})  # fmt: skip
    ids = []
    for row in rows:
        try:
            with transaction.atomic():
                delivery, _created = ChatDelivery.objects.get_or_create(
                    batch=batch_id,
                    channel=row["channel"],
                    target=row["target"],
                    defaults={
                        "center_id": center_id,
                        "kind": kind,
                        "recipients": row["recipients"],
                        "message": message,
                        "params": params,
                        "url": url,
                        "count": len(people),
                    },
                )
        except IntegrityError:  # planned at the same moment by another worker
            continue
        if delivery.status == ChatDelivery.Status.PENDING:
            ids.append(delivery.pk)
    return ids


# --- the messages ----------------------------------------------------------------------------


def absolute(url: str) -> str:
    """The link in a message: work chat opens it outside Onsite, so it needs the site's
    address (SITE_URL). Empty when the site's address is not configured."""
    site = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not site:
        return ""
    return site + (url if url.startswith("/") else "/" + url)


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    link: str


def person_text(delivery: ChatDelivery, center_name: str) -> Text:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            body = gettext(delivery.message) % delivery.params
        except (KeyError, TypeError, ValueError):
            body = gettext(delivery.message)
        title = f"{center_name} · {CHAT_KINDS.get(delivery.kind, gettext('Onsite'))}"
        return Text(title=str(title), body=body, link=absolute(delivery.url))


def group_text(delivery: ChatDelivery, center_name: str) -> Text:
    """Kind, count and a link to the home page: never a name, a zone or a reason."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(CHAT_KINDS.get(delivery.kind, gettext("Onsite")))
        body = ngettext(
            "%(kind)s: %(count)s person has a new notification in Onsite.",
            "%(kind)s: %(count)s people have a new notification in Onsite.",
            delivery.count,
        ) % {"kind": label, "count": delivery.count}
        return Text(title=f"{center_name} · {label}", body=body, link=absolute("/"))


def clip(value: str, length: int) -> str:
    """WeCom counts bytes (a text card's description at most 512, a text 2048): a Chinese
    character is three, so `length` characters stay inside."""
    return value if len(value) <= length else value[: length - 1] + "…"


def _plain(text: Text) -> str:
    lines = [f"【{clip(text.title, 40)}】", clip(text.body, 500)]
    if text.link:
        lines.append(text.link)
    return "\n".join(lines)


# --- HTTP ------------------------------------------------------------------------------------


def _answer(response: requests.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise ChatError(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise ChatError("not JSON") from exc
    if not isinstance(data, dict):
        raise ChatError("not a JSON object")
    if data.get("errcode", 0) != 0:
        raise ChatError(f"errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:200]}")
    return data


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = requests.post(url, json=body, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise ChatError(type(exc).__name__) from exc
    return _answer(response)


def _get(url: str, params: dict[str, str]) -> dict[str, Any]:
    try:
        response = requests.get(url, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise ChatError(type(exc).__name__) from exc
    return _answer(response)


def _token_key(*parts: str) -> str:
    return "onsite:workchat:token:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _token(key: str, fetch: Any) -> str:
    token = cache.get(key)
    if token:
        return str(token)
    data = fetch()
    token = str(data.get("access_token", ""))
    if not token:
        raise ChatError("no access_token")
    lifetime = int(data.get("expires_in") or 7200)
    cache.set(key, token, max(lifetime - TOKEN_MARGIN, 60))
    return token


def _with_token(key: str, fetch: Any, send: Any) -> dict[str, Any]:
    token = _token(key, fetch)
    try:
        return dict(send(token))
    except ChatError as exc:
        if any(f"errcode {code}:" in str(exc) for code in TOKEN_ERRORS):
            cache.delete(key)
        raise


def _app_send(
    service: str,
    base: str,
    credentials: dict[str, str],
    token_path: str,
    send_path: str,
    message: dict[str, Any],
) -> None:
    """A work notice through the app: its access token (kept in the cache until the service
    says it is stale), then the message with it."""
    key = _token_key(service, base, *credentials.values())

    def fetch() -> dict[str, Any]:
        return _get(f"{base}{token_path}", credentials)

    def send(token: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"access_token": token})
        return _post(f"{base}{send_path}?{query}", message)

    _with_token(key, fetch, send)


def dingtalk_signed(url: str, secret: str, *, now_ms: int | None = None) -> str:
    """The robot webhook with DingTalk's 加签: timestamp in ms and
    urlencode(base64(HMAC-SHA256(secret, "timestamp\\nsecret")))."""
    if not secret:
        return url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def send_group(config: WorkChatSettings, channel: str, text: Text) -> None:
    body = {"msgtype": "text", "text": {"content": _plain(text)}}
    if channel == Channel.WECOM:
        _post(config.wecom_robot_url, body)
    else:
        _post(dingtalk_signed(config.dingtalk_robot_url, config.dingtalk_robot_secret), body)


def send_person(config: WorkChatSettings, channel: str, userids: list[str], text: Text) -> None:
    if channel == Channel.WECOM:
        _send_wecom_notice(config, userids, text)
    else:
        _send_dingtalk_notice(config, userids, text)


def _send_wecom_notice(config: WorkChatSettings, userids: list[str], text: Text) -> None:
    base = config.wecom_base_url.rstrip("/")
    message: dict[str, Any] = {
        "touser": "|".join(userids),
        "agentid": int(config.wecom_agentid),
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
    }
    if text.link:
        message["msgtype"] = "textcard"
        message["textcard"] = {
            "title": clip(text.title, 40),
            "description": clip(text.body, 160),
            "url": text.link,
            "btntxt": pgettext("work chat", "Open"),
        }
    else:
        message["msgtype"] = "text"
        message["text"] = {"content": _plain(text)}

    credentials = {"corpid": config.wecom_corpid, "corpsecret": config.wecom_corpsecret}
    _app_send("wecom", base, credentials, "/cgi-bin/gettoken", "/cgi-bin/message/send", message)


def _send_dingtalk_notice(config: WorkChatSettings, userids: list[str], text: Text) -> None:
    base = config.dingtalk_base_url.rstrip("/")
    markdown = f"#### {text.title}\n\n{text.body}"
    if text.link:
        markdown += f"\n\n[{pgettext('work chat', 'Open')}]({text.link})"
    message = {
        "agent_id": int(config.dingtalk_agent_id),
        "userid_list": ",".join(userids),
        "msg": {"msgtype": "markdown", "markdown": {"title": text.title, "text": markdown}},
    }

    credentials = {"appkey": config.dingtalk_appkey, "appsecret": config.dingtalk_appsecret}
    send_path = "/topapi/message/corpconversation/asyncsend_v2"
    _app_send("dingtalk", base, credentials, "/gettoken", send_path, message)


def send_delivery(delivery: ChatDelivery) -> None:
    """Sends one delivery row's message; raises ChatError when the service refuses it."""
    config = WorkChatSettings.objects.filter(center_id=delivery.center_id).first()
    if config is None or not (
        config.has_group_target(delivery.channel)
        if delivery.target == ChatDelivery.Target.GROUP
        else config.has_person_target(delivery.channel)
    ):
        raise UndeliverableError("switched off")
    center_name = config.center.name
    if delivery.target == ChatDelivery.Target.GROUP:
        send_group(config, delivery.channel, group_text(delivery, center_name))
        return
    field = userid_field(delivery.channel)
    userids = list(
        User.objects.filter(
            pk__in=delivery.recipients, center_id=delivery.center_id, is_active=True
        )
        .exclude(**{field: ""})
        .order_by("pk")
        .values_list(field, flat=True)
    )
    if not userids:
        raise UndeliverableError("nobody to send to")
    with translation.override(settings.LANGUAGE_CODE):
        send_person(config, delivery.channel, userids, person_text(delivery, center_name))
