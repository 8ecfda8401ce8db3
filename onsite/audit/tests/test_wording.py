"""Audit actions and objects read in the reader's language; the stored row stays verifiable."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from onsite.audit.actions import ACTIONS
from onsite.audit.models import AuditEvent
from onsite.audit.services import record_event, verify_chain
from onsite.core.tests.excel_checks import assert_table_sheet

CODE = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)+)["']""")
DYNAMIC = re.compile(r"""action=f["']([a-z_]+\.[a-z_]*)\{""")


def action_codes_in_the_code_base():
    """Every literal code on an `action=` line of the application (not of its tests), and the
    fixed start of every code built with an f-string."""
    codes, prefixes = set(), set()
    root = Path(settings.BASE_DIR)
    for path in [*root.glob("onsite/**/*.py"), *root.glob("config/**/*.py")]:
        if "tests" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "action=" not in line or "add_argument" in line:
                continue
            # the value may continue on the next line (a long conditional expression)
            text = line + (lines[number + 1] if number + 1 < len(lines) else "")
            value = re.split(r",\s*[a-z_]+=", text.split("action=", 1)[1])[0]
            prefixes.update(DYNAMIC.findall("action=" + value))
            codes.update(CODE.findall(value))
    return codes, prefixes


def test_every_action_code_used_has_a_label():
    codes, prefixes = action_codes_in_the_code_base()
    assert "auth.login" in codes, "the search finds codes"
    assert "auth.account_disable" in codes, "and codes of a conditional"
    assert not sorted(code for code in codes if code not in ACTIONS)
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in ACTIONS), prefix


def test_labels_are_translated():
    def labels(language):
        with translation.override(language):
            return {code: str(label) for code, label in ACTIONS.items()}

    english, chinese = labels("en"), labels("zh-hans")
    assert not [code for code in ACTIONS if english[code] == chinese[code]]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("zh-hans", "登录"), ("en", "Signed in")])
def test_the_page_names_actions_in_the_readers_language(
    client_for, auditor, center, language, label
):
    record_event(None, action="auth.login", actor=auditor, center=center)
    client = client_for(auditor)
    client.cookies["django_language"] = language
    body = client.get("/audit/").content.decode()
    assert f"{label}<br>" in body


@pytest.mark.django_db
def test_an_object_described_in_chinese_reads_in_english(client_for, auditor, center):
    from onsite.dashboards.models import ReportJob

    job = ReportJob.objects.create(
        center=center,
        kind="inspections",
        month_from=datetime.date(2026, 11, 1),
        month_to=datetime.date(2026, 11, 1),
    )
    with translation.override("zh-hans"):
        event = record_event(None, action="dashboards.job_requested", obj=job, center=center)
    assert "检查" not in event.object_repr, "interface words are stored as message ids"
    with translation.override("en"):
        assert event.object_text == f"{job.get_kind_display()} 2026-11"
        assert event.object_type_label == "report job"
        assert event.action_label == "Report or export requested"
    with translation.override("zh-hans"):
        assert event.object_text == f"{job.get_kind_display()} 2026-11"
        assert "检查" in event.object_text
    client = client_for(auditor)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = f"{job.get_kind_display()} 2026-11"
    assert english in client.get("/audit/").content.decode()
    checked, bad, _why = verify_chain()
    assert bad is None
    assert checked >= 1


def test_a_row_stored_before_reads_as_stored():
    event = AuditEvent(action="auth.login")
    event.object_repr = "w01-c 自查 2026-11-14"
    with translation.override("en"):
        assert event.object_text == "w01-c 自查 2026-11-14"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "header", "label"),
    [("en", ["Sequence", "Time"], "Signed in"), ("zh-hans", ["序号", "时间"], "登录")],
)
def test_the_excel_export_is_in_the_readers_language(
    client_for, auditor, center, language, header, label
):
    record_event(None, action="auth.login", actor=auditor, center=center)
    client = client_for(auditor)
    client.cookies["django_language"] = language
    response = client.post("/audit/export/", {"format": "xlsx", "action": "auth.login"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = assert_table_sheet(sheet)
    assert names[:2] == header
    actions = [
        row[names.index(header[0]) + 7] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert actions == [label]


def test_a_description_that_needs_a_language_is_still_stored():
    from onsite.audit.wording import stored_description

    class Picky:
        def __str__(self):
            if translation.get_language() is None:
                raise ValueError("no language")
            return "ok"

    assert stored_description(Picky()) == "ok"


@pytest.mark.django_db
def test_the_action_filter_offers_codes_with_their_labels(client_for, auditor):
    client = client_for(auditor)
    client.cookies["django_language"] = "en"
    body = client.get("/audit/").content.decode()
    assert 'list="audit-actions"' in body
    assert '<option value="auth.login">Signed in</option>' in body


def test_words_with_a_context_come_back_in_the_readers_language():
    from django.utils.translation import pgettext_lazy

    from onsite.audit.wording import marking_message_ids, readable

    with translation.override("zh-hans"), marking_message_ids():
        stored = f"job {pgettext_lazy('job', 'Running')}"
    assert "进行中" not in stored
    with translation.override("zh-hans"):
        assert readable(stored) == "job 进行中"
    with translation.override("en"):
        assert readable(stored) == "job Running"
