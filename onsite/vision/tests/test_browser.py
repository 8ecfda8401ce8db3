"""The photo check on a phone-sized Chromium: an inspector's two photos of a counter with a cup
the standard does not allow come back (through the real task) as two suggestions drawn over
the photos; one tap confirms one (the check fails, the words go into its note), one tap
dismisses the other."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.inspections import services as inspections
from onsite.inspections.models import Answer
from onsite.standards.queries import published_version
from onsite.standards.tests.factories import ItemFactory, ItemRuleFactory
from onsite.vision.models import DraftFinding
from onsite.vision.tasks import run_analysis
from onsite.vision.tests.flow import checked_zone, coffee, first_clause, start, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOUCH = 44  # px: the smallest comfortable touch target


def test_confirm_and_dismiss_on_a_phone(phone_page, center):
    page = phone_page
    page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    supervisor = UserFactory(center=center, username="sup", roles=["supervisor"])
    zone = checked_zone(center, owner=UserFactory(center=center, roles=["staff"]))[0]
    ItemRuleFactory(
        standard_version=published_version(zone),
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )
    inspection = start(zone, supervisor)
    check = first_clause(inspection)
    for _ in range(2):  # each commit runs the task (the immediate backend of the tests)
        inspections.add_photo(answer=check, by=supervisor, upload=upload(coffee()))
    assert DraftFinding.objects.filter(answer=check).count() == 2

    sign_in(page, "sup")
    page.goto(f"/inspections/{inspection.pk}/edit/")
    card = page.locator(f"#a{check.pk}")
    drafts = card.locator("[data-testid=draft]")
    assert drafts.count() == 2
    assert card.locator(".draft-photo svg rect").count() == 2
    assert "不允许的物品" in drafts.first.inner_text()
    for name in ("accept", "dismiss"):
        box = drafts.first.locator(f"[data-testid={name}]").bounding_box()
        assert box["height"] >= TOUCH, (name, box)
        assert box["width"] >= TOUCH, (name, box)

    drafts.first.locator("[data-testid=accept]").tap()
    page.locator(f"#a{check.pk} [data-testid=draft-status]").first.wait_for()
    card = page.locator(f"#a{check.pk}")
    assert card.locator("[data-testid=draft-status]").first.inner_text() == "已确认"
    assert page.locator(f"#a{check.pk}-fail").is_checked()
    assert "照片检查：不允许的物品" in page.locator(f"#a{check.pk}-note").input_value()

    card.locator("[data-testid=dismiss]").tap()
    page.locator(f"#a{check.pk} [data-testid=draft-status] >> nth=1").wait_for()
    assert [t.strip() for t in card.locator("[data-testid=draft-status]").all_inner_texts()] == [
        "已确认",
        "已忽略",
    ]
    statuses = list(
        DraftFinding.objects.filter(answer=check).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["accepted", "dismissed"]
    assert Answer.objects.get(pk=check.pk).result == "fail"


def test_the_checking_note_gives_way_to_the_suggestions_by_itself(phone_page, center, settings):
    """The worker is slower than the page: the check shows "照片检查中…" and, without a reload,
    the suggestion once the task has run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = phone_page
    page.set_default_timeout(60_000)
    supervisor = UserFactory(center=center, username="sup", roles=["supervisor"])
    zone = checked_zone(center, owner=UserFactory(center=center, roles=["staff"]))[0]
    ItemRuleFactory(
        standard_version=published_version(zone),
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )
    inspection = start(zone, supervisor)
    check = first_clause(inspection)
    photo = inspections.add_photo(answer=check, by=supervisor, upload=upload(coffee()))

    sign_in(page, "sup")
    page.goto(f"/inspections/{inspection.pk}/edit/")
    page.locator(f"#a{check.pk} [data-testid=photo-check-queued]").wait_for()
    assert "照片检查中" in page.locator(f"#a{check.pk} [data-testid=photo-check]").inner_text()

    assert run_analysis(photo.pk) == "done"  # what the worker does

    page.locator(f"#a{check.pk} [data-testid=draft]").wait_for()
    assert page.locator(f"#a{check.pk} [data-testid=photo-check-queued]").count() == 0
    assert page.locator(f"#a{check.pk} [data-testid=accept]").is_visible()
