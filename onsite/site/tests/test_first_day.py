"""docs/first-day.md, followed from an empty database by the people it names.

The commands are the doc's own: every `python manage.py` line of its sh blocks runs, in
order, against the test database. The pages are clicked in Chromium as the role each step
names, and every page a step opens must be named in that step's numbered section of the doc.
So the test fails when the doc loses a step, names a wrong page, or a command of it breaks —
and when the product stops doing what the doc says."""

from __future__ import annotations

import io
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook
from PIL import Image

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.tests.browser import sign_in
from onsite.inspections.models import Inspection
from onsite.org.models import Zone

DOC = Path(settings.BASE_DIR) / "docs" / "first-day.md"
HEADING = re.compile(r"^## (\d+)\. (.+)$", re.MULTILINE)
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
NEW_PASSWORD = "Onsite-FirstDay-2026!"


# --- the doc ---------------------------------------------------------------------------------


def sections() -> dict[int, str]:
    """The doc's numbered steps: {number: heading and text}."""
    text = DOC.read_text()
    found = list(HEADING.finditer(text))
    return {
        int(match[1]): text[match.start() : found[i + 1].start() if i + 1 < len(found) else None]
        for i, match in enumerate(found)
    }


def commands(text: str) -> list[str]:
    return [
        line.strip()
        for block in SH_BLOCK.findall(text)
        for line in block.splitlines()
        if line.strip().startswith("python manage.py ")
    ]


class Doc:
    def __init__(self) -> None:
        self.steps = sections()

    def step(self, number: int, *, names: list[str]) -> str:
        """The step's section, which must name each page or thing the test is about to use."""
        assert number in self.steps, f"docs/first-day.md has no step “## {number}. …”"
        text = " ".join(self.steps[number].split())  # a name may wrap across lines
        for name in names:
            assert name in text, f"step {number} of docs/first-day.md does not say {name!r}"
        return text


def run(command: str) -> str:
    """One `python manage.py …` line of the doc, against the test database."""
    words = shlex.split(command)
    assert words[:2] == ["python", "manage.py"], command
    out = io.StringIO()
    call_command(*words[2:], stdout=out, stderr=out)
    return out.getvalue()


# --- in the browser --------------------------------------------------------------------------


def first_sign_in(page, username: str, password: str) -> None:
    """A temporary password: sign in, then choose one's own, as the doc says."""
    sign_in(page, username, password)
    page.goto("/accounts/password/")
    assert page.locator("[data-testid=forced]").count() == 1, "a temporary password is forced"
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/password/" not in page.url, page.locator("main").inner_text()


def download(page, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def fill_from_examples(template: Path, out: Path) -> None:
    """Copies the rows of the template's Examples (示例) sheet to the sheets they belong to,
    as a person would: each block there starts with a sheet's name, then its header."""
    book = load_workbook(template)
    examples = book["示例"]
    current = None
    header_next = False
    for row in examples.iter_rows(min_row=2, values_only=True):
        first = row[0]
        if all(v is None for v in row):
            current = None
        elif current is None and first in book.sheetnames and first != "示例":
            current, header_next = book[first], True
        elif header_next:
            header_next = False
        elif current is not None:
            current.append(list(row))
    book.save(out)


def slip_passwords(pdf: Path, usernames: list[str]) -> dict[str, str]:
    """The temporary password printed under each username on the sign-in slips."""
    text = subprocess.run(  # noqa: S603 (our own file, a fixed program)
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-raw", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for username in usernames:
        # The username's line, the label's line, then the password.
        match = re.search(rf"^{re.escape(username)}\s*\n[^\n]*\n\s*(\S+)", text, re.M)
        assert match, f"no slip for {username} in:\n{text}"
        found[username] = match[1]
    return found


def photo(folder: Path) -> str:
    path = folder / "counter.png"
    Image.new("RGB", (800, 600), (200, 200, 180)).save(path)
    return str(path)


def confirm(page, selector: str) -> None:
    """Clicks a button whose form asks first (data-confirm), then confirms in the dialog."""
    page.click(selector)
    with page.expect_navigation():
        page.click("[data-testid=confirm-ok]")


# --- the first day ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_center_starts_from_an_empty_database_by_following_docs_first_day(
    page, phone_page, live_server, tmp_path
):
    page.set_default_timeout(90_000)  # two shared cores: be patient, never time the app
    phone_page.set_default_timeout(90_000)
    assert not Center.objects.exists(), "an empty database: no demo"
    assert not User.objects.exists()
    doc = Doc()
    assert sorted(doc.steps) == list(range(1, 11)), "ten numbered steps"

    # 1–3. The installer runs the doc's commands: tables, the center, the first accounts.
    doc.step(1, names=["deployment.md", "python manage.py migrate"])
    doc.step(2, names=["python manage.py create_center"])
    accounts = doc.step(3, names=["--role admin", "--role sysadmin", "/accounts/users/new/"])
    temporary, first_of = {}, {}
    every = commands(DOC.read_text())
    assert every == [c for n in sorted(doc.steps) for c in commands(doc.steps[n])]
    assert any("create_center" in c for c in every)
    for command in every:
        output = run(command)
        words = shlex.split(command)
        if words[2] == "create_account":
            username = words[3]
            temporary[username] = re.search(r"Temporary password[^:]*:\s*(\S+)", output)[1]
            for role in (w for i, w in enumerate(words) if words[i - 1] == "--role"):
                first_of.setdefault(role, username)
    center = Center.objects.get()
    admin, sysadmin = first_of["admin"], first_of["sysadmin"]
    assert "/accounts/users/new/" in accounts

    # The center admin's first sign-in: a new password, then an empty home with its checklist.
    first_sign_in(page, admin, temporary[admin])
    page.goto("/")
    assert page.locator("[data-testid=setup-step][data-done='1']").count() == 0
    assert center.name in page.locator("main").inner_text()

    # 4. The organisation, from the template's examples.
    doc.step(4, names=["/org/import/", "示例", "Check only"])
    page.goto("/org/import/")
    template = download(page, "[data-testid=template]", tmp_path)
    workbook = tmp_path / "organisation.xlsx"
    fill_from_examples(template, workbook)
    page.set_input_files("input[type=file]", str(workbook))
    with page.expect_navigation():
        page.click("button[name=check]")
    assert page.locator("[data-testid=import-check]").count() == 1, page.locator(
        "main"
    ).inner_text()
    page.set_input_files("input[type=file]", str(workbook))
    with page.expect_navigation():
        page.click("button[name=import]")
    assert page.locator("[data-testid=import-summary]").count() == 1
    staff = list(
        User.objects.filter(center=center, role_grants__role="staff").values_list(
            "username", flat=True
        )
    )
    assert staff, "the examples bring staff"

    # 5. The starter standards: five drafts, the area types found by code.
    doc.step(5, names=["/standards/import/", "starter workbook"])
    page.goto("/standards/import/")
    starter = download(page, "[data-testid=starter] a", tmp_path)
    page.set_input_files("input[type=file]", str(starter))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/standards/"), page.locator("main").inner_text()
    drafts = page.locator("[data-testid=area-types] a.badge")
    assert drafts.count() == 5  # the source document's three, public areas, the archive

    # 6. Publish each draft.
    doc.step(6, names=["/standards/", "Publish"])
    for _n in range(5):
        page.goto("/standards/")
        page.locator("[data-testid=area-types] a.badge").first.click()
        page.wait_for_load_state()
        confirm(page, "[data-testid=publish]")
    page.goto("/standards/")
    assert page.locator("[data-testid=area-types] a.badge").count() == 0

    # 7. The system admin prints everyone's temporary password.
    doc.step(7, names=["/accounts/users/passwords/", "Review and confirm"])
    first_sign_in(page, sysadmin, temporary[sysadmin])
    page.goto("/accounts/users/passwords/")
    with page.expect_navigation():
        page.click("[data-testid=review]")
    slips = download(page, "[data-testid=issue]", tmp_path)
    passwords = slip_passwords(slips, staff)

    # 8. The admin prints the QR cards.
    doc.step(8, names=["/org/zones/", "QR cards (PDF)"])
    sign_in(page, admin, NEW_PASSWORD)
    page.goto("/org/zones/")
    cards = download(page, "[data-testid=print-cards]", tmp_path)
    assert cards.read_bytes().startswith(b"%PDF")

    # 9. A zone owner scans the card of their counter on a phone and inspects it.
    doc.step(9, names=["/z/", "Start inspection", "Unanswered checks pass", "Submit"])
    zone = Zone.objects.filter(center=center, area_type__code="counter").select_related("owner")[0]
    owner = zone.owner.username
    first_sign_in(phone_page, owner, passwords[owner])
    phone_page.goto(f"/z/{zone.code}/")
    phone_page.click("[data-testid=start-inspection]")
    phone_page.click("[data-testid=start]")
    phone_page.wait_for_url("**/inspections/*/edit/")
    picture = photo(tmp_path)
    needing = phone_page.locator("[data-testid=check]").filter(has=phone_page.locator(".bi-camera"))
    assert needing.count() > 0, "the starter's counter asks for photos"
    for index in range(needing.count()):
        card = needing.nth(index)
        card.locator("[data-testid=photo-input]").set_input_files(picture)
        card.locator("[data-testid=photos] img").first.wait_for()
    with phone_page.expect_navigation():
        phone_page.click("[data-testid=pass-rest]")
    phone_page.click("[data-testid=submit]")
    phone_page.wait_for_url("**/inspections/*/")
    assert Inspection.objects.filter(zone=zone, status="submitted").count() == 1

    # 10. The dashboard shows it; the admin's checklist is gone.
    doc.step(10, names=["/dashboards/"])
    page.goto("/dashboards/")
    score = page.locator("[data-testid=kpi-score] .kpi-value")
    if score.inner_text().strip() == "—":  # the figures were refreshing: once more
        page.reload()
    assert score.inner_text().strip().startswith("100"), page.locator("main").inner_text()
    page.goto("/")
    assert page.locator("[data-testid=setup]").count() == 0, page.locator("main").inner_text()


def test_the_docs_steps_and_commands_are_there_without_a_browser():
    """The same guard for runs without Chromium: ten numbered steps, each command a real one
    with the arguments it takes."""
    from django.core.management import get_commands, load_command_class

    doc = Doc()
    assert sorted(doc.steps) == list(range(1, 11))
    every = commands(DOC.read_text())
    names = [shlex.split(c)[2] for c in every]
    assert names[:2] == ["migrate", "create_center"]
    assert names.count("create_account") >= 2
    known = get_commands()
    for command in every:
        words = shlex.split(command)
        assert words[2] in known, command
        parser = load_command_class(known[words[2]], words[2]).create_parser("manage.py", words[2])
        parser.parse_args(words[3:])  # exits (fails) on an argument the command does not take
