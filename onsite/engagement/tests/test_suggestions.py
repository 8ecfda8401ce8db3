import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import AreaTypeFactory, UnitFactory, UserFactory
from onsite.engagement import services
from onsite.engagement.models import Photo, PointEntry, Suggestion, SuggestionTransition, Vote
from onsite.engagement.queries import leaderboard, unit_leaderboard
from onsite.engagement.tests.factories import SuggestionFactory, png
from onsite.engagement.text import similarity
from onsite.notifications.models import Notification
from onsite.standards.models import StandardVersion
from onsite.standards.tests.factories import ClauseFactory, StandardFactory, VersionFactory


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def counter(center):
    return AreaTypeFactory(center=center, code="counter", name="前台")


@pytest.fixture
def proposal(center, staff_user):
    return SuggestionFactory(center=center, author=staff_user, title="前台台面增加物品定位标识")


def test_staff_submit_a_proposal_with_photos(client_for, staff_user, counter):
    client = client_for(staff_user)
    response = client.post("/engagement/suggestions/new/", {
        "kind": "proposal", "title": "印泥盒加装定位框", "body": "印泥经常被挪到台面边缘",
        "area_type": counter.pk, "photos": [png()], "submission_key": "s-1"})  # fmt: skip
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert suggestion.author == staff_user
    assert suggestion.unit == staff_user.unit
    assert suggestion.area_type == counter
    assert suggestion.photos.count() == 1
    assert PointEntry.objects.get(user=staff_user).points == 1
    client.post(
        "/engagement/suggestions/new/",
        {"kind": "proposal", "title": "印泥盒加装定位框", "submission_key": "s-1"},
    )
    assert Suggestion.objects.count() == 1, "a double submit makes one suggestion"


def test_a_bad_photo_keeps_what_was_typed(client_for, staff_user):
    bad = SimpleUploadedFile("x.jpg", b"not a photo at all", content_type="image/jpeg")
    response = client_for(staff_user).post(
        "/engagement/suggestions/new/", {"kind": "slogan", "title": "第二条标语", "photos": [bad]}
    )
    assert response.status_code == 200
    assert "第二条标语" in response.content.decode()
    assert (
        zh("This file is not a photo. Please upload a JPEG, PNG, WebP or HEIC image.")
        in response.content.decode()
    )
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("前台台面增加物品定位标识", "建议前台台面增加物品定位标识", True),
    ("前台台面增加物品定位标识", "台面物品增加定位标识", True),
    ("前台台面增加物品定位标识", "等候区增加饮水机", False),
    ("人人参与 人人有责", "人人参与，人人有责！", True),
])  # fmt: skip
def test_chinese_similarity(a, b, similar):
    assert (similarity(a, b) >= services.DUPLICATE_THRESHOLD) is similar


def test_a_likely_duplicate_is_flagged_on_submit(client_for, member, proposal):
    response = client_for(member).post("/engagement/suggestions/new/", {
        "kind": "proposal", "title": "建议前台台面增加物品定位标识"}, follow=True)  # fmt: skip
    newer = Suggestion.objects.exclude(pk=proposal.pk).get()
    assert newer.similar_to == proposal
    assert newer.similarity >= services.DUPLICATE_THRESHOLD
    assert 'data-testid="duplicate"' in response.content.decode()


def test_one_vote_per_person_and_not_for_oneself(client_for, member, staff_user, proposal):
    client = client_for(member)
    client.post(f"/engagement/suggestions/{proposal.pk}/vote/")
    client.post(f"/engagement/suggestions/{proposal.pk}/vote/")
    assert Vote.objects.filter(suggestion=proposal).count() == 1
    client_for(staff_user).post(f"/engagement/suggestions/{proposal.pk}/vote/")
    assert Vote.objects.filter(suggestion=proposal).count() == 1, "the author cannot vote"
    client_for(member).post(f"/engagement/suggestions/{proposal.pk}/vote/", {"withdraw": "1"})
    assert not Vote.objects.exists()


def test_review_needs_a_reason_and_follows_the_workflow(
    client_for, office_user, proposal, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    response = client.post(
        f"/engagement/suggestions/{proposal.pk}/review/",
        {"decision": "accepted", "reason": " ", "version": proposal.version},
    )
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/engagement/suggestions/{proposal.pk}/review/",
            {"decision": "rejected", "reason": "已有类似规定", "version": proposal.version},
        )
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert proposal.review_reason == "已有类似规定"
    assert Notification.objects.filter(
        user=proposal.author, kind="engagement.suggestion_reviewed"
    ).exists()
    assert SuggestionTransition.objects.filter(suggestion=proposal, to_status="rejected").exists()
    response = client.post(
        f"/engagement/suggestions/{proposal.pk}/review/",
        {"decision": "adopted", "reason": "改主意", "version": proposal.version},
    )
    assert response.status_code == 409, "a move the workflow does not allow (issue 15)"
    assert response["Onsite-Refusal"] == "wrong_state"
    proposal.refresh_from_db()
    assert proposal.status == "rejected", "a rejected suggestion stays rejected"


def test_a_stale_review_is_refused(client_for, office_user, leader, proposal):
    version = proposal.version
    client_for(office_user).post(
        f"/engagement/suggestions/{proposal.pk}/review/",
        {"decision": "accepted", "reason": "好", "version": version},
    )
    response = client_for(leader).post(
        f"/engagement/suggestions/{proposal.pk}/review/",
        {"decision": "rejected", "reason": "不好", "version": version},
    )
    assert response.status_code == 409, "a stale version is a conflict (issue 15)"
    assert response["Onsite-Refusal"] == "stale"
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_an_adopted_proposal_opens_a_standard_revision_linked_both_ways(
    client_for, leader, center, counter, proposal
):
    standard = StandardFactory(center=center, area_type=counter)
    published = VersionFactory(
        center=center, standard=standard, number=1, status=StandardVersion.Status.PUBLISHED
    )
    ClauseFactory(standard_version=published)
    response = client_for(leader).post(f"/engagement/suggestions/{proposal.pk}/review/", {
        "decision": "adopted", "reason": "采纳,纳入下一版标准", "version": proposal.version,
        "area_type": counter.pk, "open_revision": "on"})  # fmt: skip
    assert response.status_code == 302
    proposal.refresh_from_db()
    draft = proposal.standard_version
    assert proposal.status == "adopted"
    assert draft.status == StandardVersion.Status.DRAFT
    assert draft.based_on == published
    assert list(draft.suggestions.all()) == [proposal]
    assert f"/engagement/suggestions/{proposal.pk}/" in draft.source_url
    assert proposal.title in draft.note
    assert draft.clauses.count() == 1, "the draft starts from the published version"
    points = {e.reason: e.points for e in PointEntry.objects.filter(user=proposal.author)}
    assert points == {"accepted": 3, "adopted": 10}
    assert AuditEvent.objects.filter(action="engagement.revision_opened").exists()
    body = client_for(leader).get(f"/engagement/suggestions/{proposal.pk}/").content.decode()
    assert 'data-testid="revision-link"' in body


def test_a_second_adopted_proposal_joins_the_open_draft(leader, center, counter, staff_user):
    StandardFactory(center=center, area_type=counter)
    first = SuggestionFactory(center=center, author=staff_user, area_type=counter)
    second = SuggestionFactory(center=center, author=staff_user, area_type=counter)
    for s in (first, second):
        services.review_suggestion(
            s,
            by=leader,
            decision="adopted",
            reason="采纳",
            expected_version=s.version,
            open_revision=True,
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.standard_version == second.standard_version
    assert first.standard_version.suggestions.count() == 2


def test_revision_later_from_the_detail_page(client_for, leader, center, counter, proposal):
    services.review_suggestion(
        proposal, by=leader, decision="adopted", reason="采纳", expected_version=proposal.version
    )
    client = client_for(leader)
    assert (
        'data-testid="revision-form"'
        in client.get(f"/engagement/suggestions/{proposal.pk}/").content.decode()
    )
    client.post(f"/engagement/suggestions/{proposal.pk}/revision/", {"area_type": counter.pk})
    proposal.refresh_from_db()
    assert proposal.standard_version is not None
    assert proposal.area_type == counter
    client.post(f"/engagement/suggestions/{proposal.pk}/revision/", {"area_type": counter.pk})
    assert StandardVersion.objects.count() == 1


def test_leaderboards(center, staff_user, leader):
    colleague = UserFactory(center=center, unit=staff_user.unit, roles=["staff"])
    other = UserFactory(center=center, unit=UnitFactory(center=center), roles=["staff"])
    a = services.submit_suggestion(
        center=center, author=staff_user, kind="proposal", title="甲方案"
    ).suggestion
    services.submit_suggestion(center=center, author=colleague, kind="slogan", title="乙标语")
    services.submit_suggestion(center=center, author=other, kind="slogan", title="丙标语")
    services.review_suggestion(
        a, by=leader, decision="adopted", reason="好", expected_version=a.version
    )
    leaders = leaderboard(center)
    assert next((entry.name, entry.points) for entry in leaders) == (staff_user.display_name, 14)
    units = unit_leaderboard(center)
    assert units[0].points == 15


# --- allowed and denied ----------------------------------------------------------------


def test_pages_for_everyone(client_for, staff_user, viewer, auditor, proposal):
    pages = (
        "/engagement/suggestions/",
        f"/engagement/suggestions/{proposal.pk}/",
        "/engagement/leaderboard/",
    )
    for user in (staff_user, viewer):
        client = client_for(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    # 三权分立: the auditor reads the audit trail and nothing else.
    for url in pages:
        assert client_for(auditor).get(url).status_code == 403, url


def test_viewers_neither_submit_nor_vote(client_for, viewer, proposal):
    client = client_for(viewer)
    assert client.get("/engagement/suggestions/new/").status_code == 403
    assert client.post(f"/engagement/suggestions/{proposal.pk}/vote/").status_code == 403
    assert not Vote.objects.exists()


def test_staff_may_not_review(client_for, member, proposal):
    client = client_for(member)
    for url in ("review/", "revision/"):
        assert (
            client.post(
                f"/engagement/suggestions/{proposal.pk}/{url}",
                {"decision": "adopted", "reason": "x", "version": 1},
            ).status_code
            == 403
        )
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_another_centers_suggestion_is_404(client_for, other_admin, proposal):
    client = client_for(other_admin)
    assert client.get(f"/engagement/suggestions/{proposal.pk}/").status_code == 404
    for url in ("vote/", "review/", "revision/"):
        assert client.post(f"/engagement/suggestions/{proposal.pk}/{url}").status_code == 404, url


def test_posts_only(client_for, leader, proposal):
    for url in ("vote/", "review/", "revision/"):
        assert (
            client_for(leader).get(f"/engagement/suggestions/{proposal.pk}/{url}").status_code
            == 405
        )


def test_anonymous_visitors_are_sent_to_sign_in(client, proposal):
    for url in (
        "/engagement/suggestions/",
        "/engagement/suggestions/new/",
        f"/engagement/suggestions/{proposal.pk}/",
        "/engagement/leaderboard/",
    ):
        assert client.get(url).status_code == 302


def test_the_list_keeps_a_fixed_query_count(
    client_for, staff_user, center, django_assert_max_num_queries
):
    client = client_for(staff_user)

    def grow(n):
        for _ in range(n):
            author = UserFactory(center=center, unit=UnitFactory(center=center))
            suggestion = SuggestionFactory(center=center, author=author)
            Vote.objects.create(center=center, suggestion=suggestion, user=staff_user)
            Photo.objects.create(
                center=center, suggestion=suggestion, image="x.jpg", thumbnail="t.jpg"
            )
            services.award(
                author,
                reason="submitted",
                source=f"suggestion:{suggestion.pk}",
                center_id=center.pk,
            )

    grow(1)
    with django_assert_max_num_queries(25) as small:
        client.get("/engagement/suggestions/")
        client.get("/engagement/leaderboard/")
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/engagement/suggestions/")
        client.get("/engagement/leaderboard/")
