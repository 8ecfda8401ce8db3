"""The issue's flow in a real Chromium: staff answer the baseline and the follow-up; the
comparison shows the change; a proposal is submitted, voted, adopted and opens a standard
draft; the weekly digest appears on the board and in big-screen mode."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import AreaTypeFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.engagement import services
from onsite.standards.models import StandardVersion
from onsite.standards.tests.factories import ClauseFactory, StandardFactory, VersionFactory
from onsite.surveys.models import Survey
from onsite.surveys.tests.factories import answer, standard_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOTS", settings.BASE_DIR / "var" / "screenshots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"engagement-{name}.png"), full_page=True)


def answer_in_browser(page, survey, scale):
    page.goto(f"/surveys/{survey.pk}/answer/")
    assert page.locator("[data-testid=anonymous-note]").is_visible()
    page.locator(".survey-scale label", has_text=str(scale)).first.click()
    page.locator(".survey-option label", has_text="整洁").first.click()
    page.fill("textarea[name^=q]", "希望统一配发文件盒")
    shot(page, f"answer-{page.viewport_size['width']}")
    page.click("[data-testid=submit-answers]")
    page.wait_for_selector("[data-testid=thanks]")


def test_the_engagement_flow(page, center):
    unit = UnitFactory(center=center, name="市场监管窗口")
    counter = AreaTypeFactory(center=center, code="counter", name="前台")
    published = VersionFactory(center=center, standard=StandardFactory(center=center, area_type=counter),
                               number=1, status=StandardVersion.Status.PUBLISHED)  # fmt: skip
    ClauseFactory(standard_version=published)
    ZoneFactory(center=center, area_type=counter, unit=unit, code="w01-c")
    UserFactory(center=center, unit=unit, username="zhang", full_name="张伟", roles=["staff"])
    UserFactory(center=center, unit=unit, username="li", full_name="李娜", roles=["staff"])
    UserFactory(center=center, username="boss", full_name="王主任", roles=["leader"])
    UserFactory(center=center, username="office", full_name="赵办公室", roles=["office"])
    baseline = standard_survey(center, title="现场管理现状及认同程度调查", is_anonymous=True)
    follow_up = standard_survey(center, title="认同程度复查", is_anonymous=True, baseline=baseline)
    for index in range(4):
        person = UserFactory(center=center, unit=unit, roles=["staff"])
        answer(baseline, person, scale=2, single=2)
        answer(follow_up, person, scale=4 if index else 5, single=0)

    # Staff answer the baseline and the follow-up.
    sign_in(page, "zhang")
    page.goto("/surveys/")
    assert page.locator("[data-testid=open-for-me] a").count() == 2
    answer_in_browser(page, baseline, 2)
    shot(page, "survey-thanks")
    answer_in_browser(page, follow_up, 5)
    page.goto("/surveys/")
    assert "没有等待您回答的问卷" in page.locator("[data-testid=open-for-me]").inner_text()

    # The comparison shows the change.
    sign_in(page, "boss")
    page.goto(f"/surveys/{follow_up.pk}/compare/")
    change = page.locator("[data-testid=change-scale]").inner_text()
    assert change == "+100.0", change
    page.wait_for_function("document.querySelector('#chart-compare canvas') !== null")
    shot(page, "compare")
    page.goto(f"/surveys/{follow_up.pk}/results/")
    page.wait_for_function("document.querySelectorAll('.survey-chart canvas').length >= 3")
    assert "张伟" not in page.content()

    # A proposal is submitted ...
    sign_in(page, "zhang")
    page.goto("/engagement/suggestions/new/")
    page.select_option("#id_kind", "proposal")
    page.fill("#id_title", "前台台面增加物品定位标识")
    page.fill("#id_body", "用行迹管理标出水杯、电话、笔筒的位置。")
    page.select_option("#id_area_type", str(counter.pk))
    page.click("[data-testid=suggestion-form] button[type=submit]")
    page.wait_for_selector("[data-testid=status]")
    suggestion_url = page.url
    shot(page, "proposal")
    # ... voted ...
    sign_in(page, "li")
    page.goto(suggestion_url)
    page.click("[data-testid=vote]")
    page.wait_for_selector("[data-testid=unvote]")
    assert page.locator("[data-testid=vote-count]").inner_text() == "1"
    # ... adopted, opening a standard draft.
    sign_in(page, "boss")
    page.goto(suggestion_url)
    page.check("input[name=decision][value=adopted]")
    page.fill("#id_reason", "采纳,纳入前台执行标准下一版")
    page.check("#id_open_revision")
    page.click("[data-testid=save-review]")
    link = page.locator("[data-testid=revision-link] a")
    link.wait_for()
    shot(page, "adopted")
    draft = StandardVersion.objects.get(status=StandardVersion.Status.DRAFT)
    assert draft.suggestions.get().title == "前台台面增加物品定位标识"
    link.click()
    page.wait_for_url(f"**/standards/versions/{draft.pk}/")

    # The weekly digest appears on the board and in big-screen mode.
    sign_in(page, "office")
    page.goto("/engagement/")
    page.click("[data-testid=publish-digest]")
    page.click("[data-testid=confirm-ok]")  # publishing asks first
    page.wait_for_selector("[data-testid=digest]")
    page.goto("/engagement/")
    digest = page.locator("[data-testid=latest-digest]")
    assert "前台台面增加物品定位标识" in digest.inner_text()
    shot(page, "board")
    page.click("[data-testid=screen-link]")
    page.wait_for_selector("[data-slide=digest].active")
    assert "前台台面增加物品定位标识" in page.locator("[data-slide=digest]").inner_text()
    # On the hall's 1920×1080 screen every label stays inside its card (issue 14).
    page.set_viewport_size({"width": 1920, "height": 1080})
    outside = page.evaluate(
        """() => [...document.querySelectorAll('.screen-card')].flatMap(card => {
          const box = card.getBoundingClientRect();
          return [...card.querySelectorAll('h2, li > span, li > em, li > strong')]
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.width && (r.left < box.left - 1 || r.right > box.right + 1); })
            .map(el => el.textContent.trim()); })"""
    )
    assert outside == []
    shot(page, "screen")
    assert Survey.objects.get(pk=follow_up.pk).participations.count() == 5


def test_a_phone_answers_a_survey_and_signs_in_to_training(phone_page, center):
    from django.utils import timezone

    from onsite.engagement import services
    from onsite.engagement.tests.factories import TrainingFactory

    UserFactory(center=center, username="wang", full_name="王芳", roles=["staff"])
    survey = standard_survey(center, title="手机问卷", is_anonymous=True)
    training = TrainingFactory(center=center, topic="前台执行标准培训", starts_at=timezone.now())
    sign_in(phone_page, "wang")
    answer_in_browser(phone_page, survey, 4)
    phone_page.goto(f"/surveys/{survey.pk}/answer/")
    assert phone_page.locator("[data-testid=thanks]").is_visible(), "answered once: back to thanks"
    phone_page.goto(
        f"/engagement/training/{training.pk}/sign-in/?t={services.sign_in_token(training)}"
    )
    shot(phone_page, "phone-sign-in")
    phone_page.click("[data-testid=confirm-sign-in]")
    phone_page.wait_for_url(f"**/engagement/training/{training.pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "phone-training")


def test_a_reader_confirms_a_notice_on_a_phone(phone_page, center):
    """The "I have read it" button on a 390 px phone: big enough to tap, no sideways scroll;
    a call's entry page says when it closes."""
    phone_page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    unit = UnitFactory(center=center, name="社保窗口")
    UserFactory(center=center, unit=unit, username="wang", full_name="王芳", roles=["staff"])
    office = UserFactory(center=center, username="office2", roles=["office"])
    notice = services.create_post(
        center=center, by=office, title="关于整顿阶段检查的通知", body="<p>请各窗口做好准备</p>",
        confirm=services.Confirmation(due=timezone.localdate() + datetime.timedelta(days=3), units=[unit]),
    )  # fmt: skip
    sign_in(phone_page, "wang")
    phone_page.goto(f"/engagement/posts/{notice.pk}/")
    button = phone_page.locator("[data-testid=confirm-button]")
    box = button.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 44
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "confirm-read-390")
    button.click()
    phone_page.wait_for_selector("[data-testid=confirmed]")
    assert "我已阅读" not in phone_page.locator("main").inner_text()
