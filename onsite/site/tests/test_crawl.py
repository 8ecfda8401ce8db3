"""Every demo role, in both languages, follows the app's own links from the home page and the
menu, and meets no error page, no English in the Chinese interface and no Chinese in the
English one.

How it crawls: the demo is seeded once for the module with the steps of ``seed_demo`` (the
main center with 12 windows instead of 36: every demo login and every kind of record exists;
the second center without its inspections and programme, see ``SECOND_CENTER_SKIPS``). Each role signs in through the sign-in form and walks
breadth-first from ``/`` to depth 3 (menu pages are depth 1), GET only, following redirects.
A page is fetched once per *shape* (its URL name): the
second zone detail page teaches nothing the first did not, and the budget goes to other pages.
Sign-out, the language switch and heavy downloads (PDFs, workbooks, exports) are never
followed; other non-HTML answers (photos) are checked for their status only.

What fails: any 4xx/5xx answer to a link the app itself printed (reported with the page the
link was on), and interface text in the wrong language in text nodes and in the attributes a
person reads or hears (aria-label, title, placeholder, alt, data-confirm).

Interface text versus user data (the demo's data is Chinese, so an English page shows
Chinese names): the data is read from the database, every character and text field of the
``onsite`` models (choices fields excluded: their labels are interface), minus the fields that
store interface text themselves (audit trail, notification message ids). A piece of Chinese on
an English page passes only when the whole run of CJK characters (punctuation included) is
one of the runs the data is made of, or the start of one followed by "…" (a truncated name);
so a Chinese word glued to a name, or two names joined with "、", still fail. A few terms of
the source document that English text quotes on purpose are listed (``ALLOWED_CJK``). An
English word on a Chinese page passes when it is a token of the data (a username, a zone
code), has no lower-case letter (a code, an acronym), is a path, an address or a hash, is a
technical name both languages use (``ALLOWED_LATIN``), or sits inside an element marked
``lang`` for another language (the language switcher names each language in itself) or
``translate="no"``. Text is read from text nodes and from the attributes a person reads or
hears; scripts and JSON data (chart labels) are not read.

Why not mark data in the templates instead: every template would need the marks, and a
forgotten mark would hide nothing but fail falsely; the database already knows what data is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import translation

from onsite.site.management.commands.seed_demo import DEMO_STEPS

MAX_DEPTH = 3
PAGES_PER_ROLE = 150
PER_SHAPE = 1

# Every demo login of README.md.
LOGINS = [
    "xx-admin",
    "xx-director",
    "xx-deputy1",
    "xx-deputy2",
    "xx-s1-1",
    "xx-w01-1",
    "xx-w01-2",
    "xx-auditor",
    "xx-sysadmin",
    "xx-secadmin",
    "city-viewer",
    "yy-admin",
]

# Never followed: they sign out, switch language, change state on GET-less forms, or build
# a file (checked by their own tests).
SKIPPED_NAMES = {
    "accounts:logout",
    "set_language",
    "healthz",
    "org:import-template",
    "org:export",
    "org:zone-cards",
    "audit:event-export",
    "standards:version-pdf",
    "standards:version-labels",
    "standards:version-export",
    "standards:starter-workbook",
    "surveys:survey-export",
    "engagement:post-poster",
    "engagement:training-qr",
    "engagement:document-download",
    "dashboards:ratings-template",
    "dashboards:job-download",
    "redtags:tags-pdf",
}
SKIPPED_PREFIXES = ("/static/", "/media/", "/django-admin/", "/api/")

# Names both languages write in Latin letters.
ALLOWED_LATIN = {
    "5S",
    "API",
    "CSV",
    "Excel",
    "ID",
    "PDF",
    "QR",
    "SVG",
    "TOTP",
    "URL",
    "PNG",
    "JPEG",
    "JSON",
    "OpenAPI",
    "HTTPS",
    "UTC",
    "Token",
    "Bearer",
    "Onsite",
    "xlsx",
    "Authorization",
    "chinesecalendar",
    "http",
    "https",
    # The WeCom and DingTalk consoles name these credentials in Latin letters in Chinese too.
    "Webhook",
    "AgentId",
    "AppKey",
    "AppSecret",
    "Secret",
    "corpid",
    "corpsecret",
}
# Terms of the source document that English pages quote next to their translation, as the
# glossary does ("流动红旗 rotating red flag").
ALLOWED_CJK = {"流动红旗", "黄牌", "红牌", "约谈", "成果验收", "调休"}
# Fields that hold interface text (English message ids, or text rendered at write time).
INTERFACE_FIELDS = {
    ("notifications", "notification", "message"),
}
INTERFACE_APPS = {"audit"}

CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
LATIN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@/+-]*")
LOWER = re.compile(r"[a-z]")
HEX = re.compile(r"[0-9a-f]{7,}\.*$")
TAG = re.compile(r"<[^>]*>")  # an HTML tag named in a help text
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-confirm")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
UNREAD = {"script", "style", "template", "noscript"}


# The second center skips the two costly steps (four weeks of inspections with photos, the
# programme): its pages then show a center that has just started, worth crawling too, and
# seeding takes a third less time.
SECOND_CENTER_SKIPS = {"onsite.inspections.demo", "onsite.programme.demo"}


# --- the demo, once per module -----------------------------------------------------------


@dataclass
class Data:
    cjk_runs: set[str] = field(default_factory=set)
    cjk_sorted: list[str] = field(default_factory=list)
    latin: set[str] = field(default_factory=set)

    def add(self, value: object) -> None:
        if isinstance(value, str):
            for line in value.splitlines():
                self.cjk_runs.update(CJK_RUN.findall(line))
                self.latin.update(LATIN_TOKEN.findall(line))
        elif isinstance(value, dict):
            for item in value.values():
                self.add(item)
        elif isinstance(value, list):
            for item in value:
                self.add(item)

    def is_cjk_data(self, run: str, *, truncated: bool = False) -> bool:
        if run in self.cjk_runs:
            return True
        if not truncated:
            return False
        # A name cut short by truncatechars ("…" after it): the start of a run of the data.
        at = bisect_left(self.cjk_sorted, run)
        return at < len(self.cjk_sorted) and self.cjk_sorted[at].startswith(run)


def collect_data() -> Data:
    data = Data()
    for model in apps.get_models():
        meta = model._meta
        if not model.__module__.startswith("onsite.") or meta.app_label in INTERFACE_APPS:
            continue
        names = [
            f.name
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and (meta.app_label, meta.model_name, f.name) not in INTERFACE_FIELDS
        ]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            for value in row:
                data.add(value)
    data.cjk_sorted = sorted(data.cjk_runs)
    return data


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from onsite.core.models import Center
    from onsite.org.demo import seed_demo

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, TASKS=tasks),
        translation.override("zh-hans"),
    ):
        with transaction.atomic():
            seed_demo(main_windows=12)
            for center in Center.objects.filter(code__in=["xx", "yy"]).order_by("code"):
                for step in DEMO_STEPS:
                    if center.code == "xx" or step.__name__ not in SECOND_CENTER_SKIPS:
                        step.seed(center)
        yield collect_data()
        call_command("flush", interactive=False, verbosity=0)


# --- reading a page ----------------------------------------------------------------------


class Page(HTMLParser):
    """The links of a page and the text a person reads, each text with whether it is marked
    as another language or as not to be translated."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.links: list[str] = []
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped: unread or another language)

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        lang = (attributes.get("lang") or "").lower()
        skipped = (
            self._skipped()
            or tag in UNREAD
            or (bool(lang) and lang != self.language and tag != "html")
            or attributes.get("translate") == "no"
        )
        if not skipped:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(f"{attributes[name]}")
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.texts.append(attributes.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, text: str) -> None:
        if text.strip() and not self._skipped():
            self.texts.append(text.strip())


def wrong_language(texts: list[str], *, language: str, data: Data) -> list[str]:
    found = []
    for text in texts:
        if language == "en":
            bad = [
                match.group()
                for match in CJK_RUN.finditer(text)
                if match.group() not in ALLOWED_CJK
                and not data.is_cjk_data(
                    match.group(), truncated=text[match.end() : match.end() + 1] in {"…", "."}
                )
            ]
        else:
            bad = [
                token
                for token in LATIN_TOKEN.findall(TAG.sub(" ", text))
                if LOWER.search(token)  # no lower case: a code or an acronym
                and len(re.sub(r"[^A-Za-z]", "", token)) > 1
                and "/" not in token  # a path or an address
                and not HEX.match(token)  # a hash
                and token not in data.latin
                and token.rstrip(".") not in data.latin
                and token.strip(".") not in ALLOWED_LATIN
            ]
        if bad:
            found.append(f"{text[:80]!r} ({', '.join(bad)})")
    return found


# --- the crawl ---------------------------------------------------------------------------


def shape(path: str, query: str) -> str | None:
    """The page's kind, its URL name (a filter, a sort or a page of a list draws the same
    template); None if not crawled."""
    if path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return f"unknown:{path}"  # fetched: a link to nowhere is a failure
    if match.view_name in SKIPPED_NAMES:
        return None
    return match.view_name


def same_origin(href: str, base: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.scheme not in {"", "http"} or url.netloc not in {"", "testserver"}:
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def read_page(response, *, url: str, language: str, data: Data) -> tuple[list[str], list[str]]:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return [], []
    page = Page(language)
    page.feed(response.content.decode())
    failures = [
        f"{language} text on {url}: {text}"
        for text in wrong_language(page.texts, language=language, data=data)
    ]
    return failures, page.links


def get(client: Client, url: str):
    """GET, following the app's redirects; returns the answer and the final address."""
    response = client.get(url)
    for _hop in range(5):
        if response.status_code not in {301, 302, 303, 307, 308}:
            break
        target = same_origin(response["Location"], url)
        if target is None or shape(*urlsplit(target)[2:4]) is None:
            break
        url = target
        response = client.get(url)
    return response, url


def crawl(client: Client, *, data: Data) -> tuple[list[str], list[tuple[str, str]]]:
    """Breadth-first from the home page in the default language (Chinese); returns the
    failures and the pages fetched, each with the page its link was on."""
    failures: list[str] = []
    visited: set[str] = set()
    shapes: Counter[str] = Counter()
    fetched: list[tuple[str, str]] = []
    queue: deque[tuple[str, str, int]] = deque([("/", "(start)", 0)])
    while queue and len(fetched) < PAGES_PER_ROLE:
        url, found_on, depth = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        kind = shape(*urlsplit(url)[2:4])
        if kind is None or shapes[kind] >= PER_SHAPE:
            continue
        shapes[kind] += 1
        fetched.append((url, found_on))
        response, final = get(client, url)
        if response.status_code >= 400:
            failures.append(f"{response.status_code} {url} (link on {found_on})")
            continue
        wrong, links = read_page(response, url=final, language="zh-hans", data=data)
        failures += wrong
        if depth < MAX_DEPTH:
            for href in links:
                target = same_origin(href, final)
                if target is not None and target not in visited:
                    queue.append((target, final, depth + 1))
    return failures, fetched


# Wording is the template's, not the role's: the English pass fetches only the kinds of page
# that no earlier role's English pass fetched (each role's Chinese pass fetches everything
# it reaches, so every link is still tried by every role that sees it).
SEEN_IN_ENGLISH: set[str] = set()


def english_pass(client: Client, pages: list[tuple[str, str]], *, data: Data) -> list[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    failures: list[str] = []
    for url, found_on in pages:
        kind = shape(*urlsplit(url)[2:4])
        if kind is None or kind in SEEN_IN_ENGLISH:
            continue
        SEEN_IN_ENGLISH.add(kind)
        response, final = get(client, url)
        if response.status_code >= 400:
            failures.append(f"{response.status_code} {url} (link on {found_on}, in English)")
            continue
        failures += read_page(response, url=final, language="en", data=data)[0]
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_every_link_of_the_app_opens_in_the_language_of_the_page(demo, username):
    from onsite.org.demo import DEMO_PASSWORD

    client = Client()
    signed_in = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, f"{username} cannot sign in"
    failures, pages = crawl(client, data=demo)
    assert len(pages) > 3, f"{username} reached only {len(pages)} pages"
    failures += english_pass(client, pages, data=demo)
    assert not failures, f"{username}, {len(pages)} pages:\n" + "\n".join(sorted(set(failures)))
