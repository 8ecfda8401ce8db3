import datetime

from django.core.management import call_command
from django.utils import timezone

from onsite.core.tests.factories import UserFactory
from onsite.engagement import services
from onsite.engagement.digest import (
    SECTIONS,
    Section,
    Week,
    build_sections,
    publish_digest,
)
from onsite.engagement.models import Post
from onsite.engagement.tasks import publish_weekly_digests
from onsite.engagement.tests.factories import PostFactory, TrainingFactory
from onsite.surveys.tests.factories import answer, standard_survey


def test_the_digest_summarises_the_week(center, leader, staff_user):
    author = UserFactory(center=center, roles=["staff"])
    adopted = services.submit_suggestion(
        center=center, author=author, kind="proposal", title="窗口资料盒统一"
    ).suggestion
    services.review_suggestion(
        adopted, by=leader, decision="adopted", reason="采纳", expected_version=adopted.version
    )
    services.submit_suggestion(
        center=center, author=staff_user, kind="slogan", title="标准化,从我做起"
    )
    survey = standard_survey(center, title="认同程度调查")
    answer(survey, staff_user, scale=4, single=0)
    PostFactory(center=center, title="本周动态")
    TrainingFactory(center=center, topic="本周培训")
    post = publish_digest(center)
    sections = {s["key"]: s for s in post.digest["sections"]}
    assert [i["text"] for i in sections["adopted_proposals"]["items"]] == ["窗口资料盒统一"]
    stats = {s["label"]: s["value"] for s in sections["new_suggestions"]["stats"]}
    assert stats == {"New slogans": 1, "New proposals": 1}
    participation = sections["survey_participation"]["items"][0]
    assert participation["text"] == "认同程度调查"
    assert participation["meta"].startswith("1/")
    assert sections["leaderboard"]["items"][0]["text"] == author.display_name
    assert [i["text"] for i in sections["posts"]["items"]] == ["本周动态"]
    assert [i["text"] for i in sections["training"]["items"]] == ["本周培训"]


def test_one_digest_per_week_rewritten_in_place(center):
    first = publish_digest(center)
    second = publish_digest(center)
    assert first.pk == second.pk
    assert Post.objects.filter(kind=Post.Kind.DIGEST).count() == 1
    last_week = publish_digest(center, day=timezone.localdate() - datetime.timedelta(days=7))
    assert last_week.pk != first.pk


def test_the_command_and_the_task(center, other_center):
    call_command("weekly_digest", "--day", "2026-03-04")
    assert set(Post.objects.filter(kind="digest").values_list("center__code", "week")) == {
        ("xx", datetime.date(2026, 3, 2)), ("yy", datetime.date(2026, 3, 2))}  # fmt: skip
    call_command("weekly_digest", "--center", "xx")
    assert Post.objects.filter(kind="digest", center=center).count() == 2
    result = publish_weekly_digests.enqueue(day="2026-04-01", center_ids=[center.pk])
    assert result.return_value == 1


def test_sections_are_extensible(center, monkeypatch):
    def extra(center, week):
        return Section(key="extra", title="Extra")

    def broken(center, week):
        raise RuntimeError("another app changed under the digest")

    monkeypatch.setattr("onsite.engagement.digest.SECTIONS", [*SECTIONS, broken, extra])
    keys = [section["key"] for section in build_sections(center, Week.of(timezone.localdate()))]
    assert keys[-1] == "extra", "a failing section is skipped, the rest is kept"


def test_week_boundaries():
    week = Week.of(datetime.date(2026, 3, 8))  # a Sunday
    assert week.start == datetime.date(2026, 3, 2)
    assert week.end == datetime.date(2026, 3, 8)


def test_rankings_phase_progress_and_closed_rectifications(center, supervisor):
    from onsite.core.tests.factories import UnitFactory
    from onsite.inspections.tests.conftest import inspect
    from onsite.inspections.tests.factories import zone_with_standard
    from onsite.programme.models import MonthlyRanking, MonthlyResult, PhaseProgress, Programme
    from onsite.rectification.models import Rectification, RectificationPhoto

    today = timezone.localdate()
    unit = UnitFactory(center=center, name="市场监管窗口")
    ranking = MonthlyRanking.objects.create(center=center, month=today.replace(day=1))
    MonthlyResult.objects.create(
        center=center, ranking=ranking, unit=unit, score=96.5, rank=1, sources=3
    )
    programme = Programme.objects.create(center=center, name="推行", starts_on=today)
    PhaseProgress.objects.create(center=center, programme=programme, unit=unit, phase="sort",
                                 status="accepted", accepted_on=today)  # fmt: skip
    zone, _version = zone_with_standard(center)
    inspect(zone, supervisor, fail=("clause:C01",))
    rectification = Rectification.objects.get()
    Rectification.objects.filter(pk=rectification.pk).update(
        status="closed", closed_at=timezone.now()
    )
    after = RectificationPhoto.objects.create(
        center=center, rectification=rectification, image="a.jpg", thumbnail="t.jpg"
    )

    sections = {s["key"]: s for s in build_sections(center, Week.of(today))}
    assert sections["rankings"]["items"][0]["text"] == "1. 市场监管窗口"
    assert sections["rankings"]["items"][0]["value"] == 96.5
    stats = {s["label"]: s["value"] for s in sections["phase_progress"]["stats"]}
    assert stats["Sort"] == 1
    assert stats["Shine"] == 0
    assert [(i["text"], i["meta_label"]) for i in sections["phase_progress"]["items"]] == [
        ("市场监管窗口", "Sort")
    ]
    closed = sections["closed_rectifications"]["items"][0]
    assert closed["after"] == [f"/rectification/photos/{after.pk}/?size=thumb"]
    assert closed["url"] == f"/rectification/{rectification.pk}/"
