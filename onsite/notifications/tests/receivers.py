"""Local HTTP peers shaped like WeCom's and DingTalk's endpoints (the parts Onsite calls),
on 127.0.0.1 with a free port. They check what the real services check (the app's
credentials, the access token, DingTalk's robot signature and its age) and the body's
shape, record every message they accept, and can be told to fail the next requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from onsite.notifications.models import CHAT_KINDS, Route, WorkChatSettings, route_field

CORPID, CORPSECRET, AGENTID = "ww-corp", "wecom-app-secret", "1000002"
WECOM_ROBOT_KEY = "wecom-robot-key"
APPKEY, APPSECRET, DING_AGENT = "ding-app-key", "ding-app-secret", "2000003"
DING_ROBOT_TOKEN, DING_ROBOT_SECRET = "ding-robot-token", "SEC-ding-robot-secret"


@dataclass
class Receiver:
    service: str  # "wecom" or "dingtalk"
    accepted: list[tuple[str, dict]] = field(default_factory=list)  # (endpoint, body)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, why)
    fail_next: list[str] = field(default_factory=list)  # "500" or "errcode", one per request
    fail_always: bool = False
    tokens_issued: int = 0
    url: str = ""

    def of(self, endpoint: str) -> list[dict]:
        return [body for name, body in self.accepted if name == endpoint]

    @property
    def robot_url(self) -> str:
        if self.service == "wecom":
            return f"{self.url}/cgi-bin/webhook/send?key={WECOM_ROBOT_KEY}"
        return f"{self.url}/robot/send?access_token={DING_ROBOT_TOKEN}"

    # --- what each endpoint answers ---

    def answer(self, method: str, path: str, query: dict[str, str], body: dict) -> tuple[int, dict]:
        endpoint = path
        # Failures hit the message endpoints, never the token: a token fetched is cached.
        if (self.fail_always or self.fail_next) and not endpoint.endswith("gettoken"):
            mode = self.fail_next.pop(0) if self.fail_next else "500"
            self.refused.append((endpoint, f"told to fail: {mode}"))
            return (500, {}) if mode == "500" else (200, {"errcode": -1, "errmsg": "busy"})
        handler = ROUTES.get((self.service, method, endpoint))
        if handler is None:
            return 404, {"errcode": 404, "errmsg": "no such endpoint"}
        why = handler(self, query, body)
        if why:
            self.refused.append((endpoint, why))
            return 200, {"errcode": 40001 if "token" in why else 400, "errmsg": why}
        if endpoint.endswith("gettoken"):
            self.tokens_issued += 1
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": self.token,
                         "expires_in": 7200}  # fmt: skip
        self.accepted.append((endpoint, body))
        return 200, {"errcode": 0, "errmsg": "ok", "task_id": len(self.accepted)}

    @property
    def token(self) -> str:
        return f"{self.service}-token"


def _wecom_token(r: Receiver, q: dict, b: dict) -> str:
    return (
        "" if (q.get("corpid"), q.get("corpsecret")) == (CORPID, CORPSECRET) else "bad corpsecret"
    )


def _wecom_send(r: Receiver, q: dict, b: dict) -> str:
    if q.get("access_token") != r.token:
        return "bad access token"
    if (
        b.get("agentid") != int(AGENTID)
        or not b.get("touser")
        or b.get("enable_duplicate_check") != 1
    ):
        return "bad message"
    kind = b.get("msgtype")
    if kind == "textcard":
        card = b.get("textcard") or {}
        return (
            "" if card.get("title") and card.get("description") and card.get("url") else "bad card"
        )
    return "" if kind == "text" and b.get("text", {}).get("content") else "bad msgtype"


def _wecom_robot(r: Receiver, q: dict, b: dict) -> str:
    if q.get("key") != WECOM_ROBOT_KEY:
        return "bad robot key"
    return "" if b.get("msgtype") == "text" and b["text"].get("content") else "bad robot body"


def _ding_token(r: Receiver, q: dict, b: dict) -> str:
    return "" if (q.get("appkey"), q.get("appsecret")) == (APPKEY, APPSECRET) else "bad appsecret"


def _ding_send(r: Receiver, q: dict, b: dict) -> str:
    if q.get("access_token") != r.token:
        return "bad access token"
    if b.get("agent_id") != int(DING_AGENT) or not isinstance(b.get("userid_list"), str):
        return "bad message"
    msg = b.get("msg") or {}
    return "" if msg.get("msgtype") == "markdown" and msg["markdown"].get("text") else "bad msg"


def dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _ding_robot(r: Receiver, q: dict, b: dict) -> str:
    if q.get("access_token") != DING_ROBOT_TOKEN:
        return "bad robot token"
    timestamp = q.get("timestamp", "")
    if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
        return "timestamp too old"
    # parse_qs has already url-decoded the sign once, as DingTalk does.
    if q.get("sign") != dingtalk_sign(timestamp, DING_ROBOT_SECRET):
        return "bad sign"
    return "" if b.get("msgtype") == "text" and b["text"].get("content") else "bad robot body"


ROUTES = {
    ("wecom", "GET", "/cgi-bin/gettoken"): _wecom_token,
    ("wecom", "POST", "/cgi-bin/message/send"): _wecom_send,
    ("wecom", "POST", "/cgi-bin/webhook/send"): _wecom_robot,
    ("dingtalk", "GET", "/gettoken"): _ding_token,
    ("dingtalk", "POST", "/topapi/message/corpconversation/asyncsend_v2"): _ding_send,
    ("dingtalk", "POST", "/robot/send"): _ding_robot,
}


def serve(receiver: Receiver):
    """Starts the receiver; returns the server (call .shutdown())."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {"unreadable": True}
            status, answer = receiver.answer(method, parts.path, query, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def configure(center, wecom, dingtalk, route=Route.BOTH, **extra):
    values = {
        "wecom_enabled": True,
        "wecom_base_url": wecom.url,
        "wecom_robot_url": wecom.robot_url,
        "wecom_corpid": CORPID,
        "wecom_corpsecret": CORPSECRET,
        "wecom_agentid": AGENTID,
        "dingtalk_enabled": True,
        "dingtalk_base_url": dingtalk.url,
        "dingtalk_robot_url": dingtalk.robot_url,
        "dingtalk_robot_secret": DING_ROBOT_SECRET,
        "dingtalk_appkey": APPKEY,
        "dingtalk_appsecret": APPSECRET,
        "dingtalk_agent_id": DING_AGENT,
        **{route_field(kind): route for kind in CHAT_KINDS},
        **extra,
    }
    return WorkChatSettings.objects.create(center=center, **values)


@contextmanager
def running(service: str) -> Iterator[Receiver]:
    """A receiver for tests outside this app (they do not see this app's fixtures)."""
    receiver = Receiver(service)
    server = serve(receiver)
    try:
        yield receiver
    finally:
        server.shutdown()
