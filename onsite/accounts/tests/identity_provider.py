"""A real identity service for the single sign-on tests, run beside the test process:
django-oauth-toolkit's OpenID Connect provider under /o/ and django-cas-server's CAS server
under /cas/, in one small Django project of its own (its own settings, database and cookies).

    python onsite/accounts/tests/identity_provider.py --service http://127.0.0.1:8001 \
        --people '[{"username": "amy", "password": "pw", "staff_number": "A-1"}]'

prints `READY <port>` once it serves on 127.0.0.1. The OIDC client is `onsite` with the secret
`onsite-secret`; a person's staff number is their `employee_number` claim and CAS attribute.
Test harness only: nothing of Onsite is imported here."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import django
from django.conf import settings

CLIENT_ID = "onsite"
CLIENT_SECRET = "onsite-secret"

BASE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>统一身份认证</title></head><body><main><h1>统一身份认证 (test provider)</h1>
{% if messages %}{% for message in messages %}<p class="message">{{ message }}</p>{% endfor %}{% endif %}
{% block ante_messages %}{% endblock %}{% block content %}{% endblock %}</main></body></html>"""
LOGIN = """{% extends "cas_server/bs4/base.html" %}{% block content %}
<form method="post">{% csrf_token %}{{ form.as_p }}
<input type="hidden" name="next" value="{{ next }}"><button type="submit">登录</button></form>
{% endblock %}"""
TEMPLATES = {
    "cas_server/bs4/base.html": BASE,
    "registration/login.html": LOGIN,
    "registration/logged_out.html": '{% extends "cas_server/bs4/base.html" %}',
}


def configure(folder: Path, private_key: str) -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="identity-provider-test-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "oauth2_provider",
            "cas_server",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": str(folder / "provider.sqlite3")}},
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", TEMPLATES),
                            "django.template.loaders.app_directories.Loader"],
                "context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth",
                                       "django.contrib.messages.context_processors.messages"],
            },
        }],
        # Onsite answers on the same host: its cookies must not be overwritten by these.
        SESSION_COOKIE_NAME="provider_session",
        CSRF_COOKIE_NAME="provider_csrf",
        LOGIN_URL="/login/",
        USE_TZ=True,
        STATIC_URL="/static/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": private_key,
            "PKCE_REQUIRED": True,
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "SCOPES": {"openid": "OpenID Connect", "profile": "Profile"},
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
        },
        CAS_AUTH_CLASS="cas_server.auth.DjangoAuthUser",
        CAS_NEW_VERSION_HTML_WARNING=False,
        CAS_NEW_VERSION_EMAIL_WARNING=False,
        CAS_SHOW_POWERED=False,
        CAS_SLO_TIMEOUT=5,
        CAS_LOGGED_TEMPLATE="registration/logged_out.html",
    )  # fmt: skip


def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization  # after argument parsing
    from cryptography.hazmat.primitives.asymmetric import rsa  # after argument parsing

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def validator_class() -> type:
    from oauth2_provider.oauth2_validators import OAuth2Validator  # needs settings first

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below goes into the ID token

        def get_additional_claims(self, request):  # type: ignore[no-untyped-def]
            return {
                "preferred_username": request.user.username,
                "employee_number": request.user.last_name,
            }

    return Validator


def urls() -> list:
    from django.contrib.auth import views as auth_views  # needs settings first
    from django.urls import include, path  # needs settings first

    return [
        path("login/", auth_views.LoginView.as_view(), name="login"),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("cas/", include("cas_server.urls", namespace="cas_server")),
    ]


def populate(service: str, people: list[dict[str, str]]) -> None:
    from cas_server.models import ReplaceAttributName, ServicePattern  # needs settings first
    from django.contrib.auth.models import User  # needs settings first
    from oauth2_provider.models import Application  # needs settings first

    for person in people:
        User.objects.create_user(
            person["username"], password=person["password"],
            last_name=person.get("staff_number", ""),
        )  # fmt: skip
    Application.objects.create(
        name="Onsite",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{service}/accounts/sso/callback/",
        post_logout_redirect_uris=f"{service}/accounts/login/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    pattern = ServicePattern.objects.create(
        pos=1,
        name="Onsite",
        pattern="^" + service.replace(".", r"\.") + "/.*$",
        single_log_out=True,
    )
    ReplaceAttributName.objects.create(name="last_name", replace="employee_number",
                                       service_pattern=pattern)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", required=True, help="Onsite's address, no trailing slash")
    parser.add_argument("--people", required=True, help="JSON list of username/password")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="identity-provider-"))
    configure(folder, private_key_pem())
    django.setup()
    module = sys.modules[__name__]
    module.Validator = validator_class()  # type: ignore[attr-defined]
    module.urlpatterns = urls()  # type: ignore[attr-defined]

    from django.contrib.staticfiles.handlers import StaticFilesHandler  # needs settings first
    from django.core.management import call_command  # needs settings first
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # ditto
    from django.core.wsgi import get_wsgi_application  # needs settings first

    call_command("migrate", verbosity=0, interactive=False)
    populate(args.service.rstrip("/"), json.loads(args.people))

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # type: ignore[no-untyped-def]
            pass

    server = ThreadedWSGIServer(("127.0.0.1", args.port), QuietHandler, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
