"""Issue 21, point 7 on a phone: a submit with failed checks that need a photo names all of
them at once, in full and wrapped, and marks each check."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.inspections.models import Answer, Inspection
from onsite.inspections.tests.browser import start_inspection
from onsite.inspections.tests.factories import zone_with_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG = (
    "工作台面只摆放当日办理业务所需的物品，其余物品一律收纳入柜并贴标识，条款{n}的完整文字到此为止"
)


def test_a_submit_names_every_missing_photo_at_once(phone_page, center):
    page = phone_page
    page.set_default_timeout(60_000)
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    sign_in(page, "sup")
    start_inspection(page, zone)
    inspection = Inspection.objects.get()
    for answer in inspection.answers.all():
        Answer.objects.filter(pk=answer.pk).update(
            photo_required=True, text=LONG.format(n=answer.pk)
        )
    page.reload()
    cards = page.locator("[data-testid=check]")
    failed = [int(cards.nth(n).get_attribute("data-answer")) for n in range(3)]
    for n in range(3):
        cards.nth(n).locator("[data-testid=fail]").click()
        cards.nth(n).locator("textarea").fill(f"问题{n}")
    with page.expect_navigation():
        page.click("[data-testid=pass-rest]")
    page.click("[data-testid=submit]")
    page.locator("[data-testid=needs-photo]").first.wait_for()
    assert page.locator("[data-testid=needs-photo]").count() == 3
    alert = page.locator(".alert-danger[role=alert]").first
    text = alert.inner_text()
    for pk in failed:
        assert LONG.format(n=pk) in text
    assert text.count("条款") == 3  # the passed checks need no photo
    width = page.viewport_size["width"]
    box = alert.bounding_box()
    assert box["x"] + box["width"] <= width  # wrapped on the phone, not cut off
    assert not Inspection.objects.get().is_submitted
