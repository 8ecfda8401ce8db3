import pytest

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import AreaTypeFactory
from onsite.engagement import services
from onsite.engagement.models import Attendance, Post, Suggestion, Vote
from onsite.engagement.tests.factories import PostFactory, SuggestionFactory, TrainingFactory
from onsite.standards.models import StandardVersion
from onsite.standards.tests.factories import StandardFactory


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


JSON = {"content_type": "application/json"}


def test_posts(client, office_user, staff_user, center, other_center):
    PostFactory(center=other_center, title="别家")
    created = client.post("/api/v1/engagement/posts", {"title": "公告", "body": "<b>粗</b><script>x</script>"},
                          HTTP_IDEMPOTENCY_KEY="p1", **JSON, **bearer(office_user))  # fmt: skip
    assert created.status_code == 200
    again = client.post(
        "/api/v1/engagement/posts",
        {"title": "公告"},
        HTTP_IDEMPOTENCY_KEY="p1",
        **JSON,
        **bearer(office_user),
    )
    assert again.json()["id"] == created.json()["id"]
    assert "<script" not in created.json()["body_html"]
    listed = client.get("/api/v1/engagement/posts", **bearer(staff_user)).json()
    assert [p["title"] for p in listed] == ["公告"]
    assert (
        client.post(
            "/api/v1/engagement/posts", {"title": "x"}, **JSON, **bearer(staff_user)
        ).status_code
        == 403
    )
    theirs = Post.objects.get(title="别家")
    assert (
        client.get(f"/api/v1/engagement/posts/{theirs.pk}", **bearer(staff_user)).status_code == 404
    )
    assert client.get("/api/v1/engagement/posts").status_code == 401


def test_training_and_sign_in(client, staff_user, viewer, center, other_center):
    training = TrainingFactory(center=center)
    theirs = TrainingFactory(center=other_center)
    auth = bearer(staff_user)
    assert [t["id"] for t in client.get("/api/v1/engagement/training", **auth).json()] == [
        training.pk
    ]
    bad = client.post(
        f"/api/v1/engagement/training/{training.pk}/sign-in", {"token": "wrong"}, **JSON, **auth
    )
    assert bad.status_code == 409
    token = services.sign_in_token(training)
    ok = client.post(
        f"/api/v1/engagement/training/{training.pk}/sign-in", {"token": token}, **JSON, **auth
    )
    assert ok.status_code == 200
    assert ok.json()["signed_in"] is True
    assert Attendance.objects.filter(user=staff_user).count() == 1
    assert client.get(f"/api/v1/engagement/training/{theirs.pk}", **auth).status_code == 404
    assert (
        client.post(
            f"/api/v1/engagement/training/{training.pk}/sign-in",
            {"token": token},
            **JSON,
            **bearer(viewer),
        ).status_code
        == 403
    )
    assert client.get("/api/v1/engagement/training").status_code == 401


def test_proposals_vote_and_review(client, staff_user, member, leader, center, other_center):
    counter = AreaTypeFactory(center=center, code="counter")
    StandardFactory(center=center, area_type=counter)
    submitted = client.post("/api/v1/engagement/suggestions", {"kind": "proposal", "title": "高拍仪固定位置", "area_type": "counter"},
                            **JSON, **bearer(staff_user))  # fmt: skip
    assert submitted.status_code == 200
    data = submitted.json()
    pk = data["id"]
    assert (
        client.post(f"/api/v1/engagement/suggestions/{pk}/vote", **bearer(staff_user)).status_code
        == 409
    ), "not for oneself"
    voted = client.post(f"/api/v1/engagement/suggestions/{pk}/vote", **bearer(member))
    assert voted.json() == {"votes": 1, "voted": True}
    client.post(f"/api/v1/engagement/suggestions/{pk}/vote", **bearer(member))
    assert Vote.objects.count() == 1
    assert client.post(f"/api/v1/engagement/suggestions/{pk}/review", {"decision": "adopted", "reason": "好", "version": data["version"]},
                       **JSON, **bearer(member)).status_code == 403  # fmt: skip
    reviewed = client.post(f"/api/v1/engagement/suggestions/{pk}/review",
                           {"decision": "adopted", "reason": "采纳", "version": data["version"], "open_revision": True},
                           **JSON, **bearer(leader))  # fmt: skip
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "adopted"
    draft = StandardVersion.objects.get(pk=reviewed.json()["standard_version_id"])
    assert draft.is_draft
    stale = client.post(f"/api/v1/engagement/suggestions/{pk}/review", {"decision": "rejected", "reason": "x", "version": data["version"]},
                        **JSON, **bearer(leader))  # fmt: skip
    assert stale.status_code == 409
    withdrawn = client.delete(f"/api/v1/engagement/suggestions/{pk}/vote", **bearer(member))
    assert withdrawn.json() == {"votes": 0, "voted": False}
    theirs = SuggestionFactory(center=other_center)
    assert (
        client.post(
            f"/api/v1/engagement/suggestions/{theirs.pk}/vote", **bearer(member)
        ).status_code
        == 404
    )
    assert client.get("/api/v1/engagement/suggestions").status_code == 401


def test_submit_validation(client, staff_user):
    auth = bearer(staff_user)
    assert (
        client.post(
            "/api/v1/engagement/suggestions", {"kind": "proposal", "title": " "}, **JSON, **auth
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/engagement/suggestions",
            {"kind": "proposal", "title": "x", "area_type": "nope"},
            **JSON,
            **auth,
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/engagement/suggestions", {"kind": "poem", "title": "x"}, **JSON, **auth
        ).status_code
        == 422
    )
    # A NUL (PostgreSQL text cannot hold one) is a 422, not a 500 (found by the schema fuzz).
    for field in ("title", "body"):
        data = {"kind": "slogan", "title": "标语", field: "R\u00dcF\u0000n"}
        response = client.post("/api/v1/engagement/suggestions", data, **JSON, **auth)
        assert response.status_code == 422, field
    assert not Suggestion.objects.exists()


def test_acknowledgements_and_leaderboard(client, staff_user, viewer, center):
    from onsite.core.tests.factories import ZoneFactory
    from onsite.standards.tests.factories import VersionFactory

    counter = AreaTypeFactory(center=center, code="counter")
    version = VersionFactory(
        center=center,
        standard=StandardFactory(center=center, area_type=counter),
        status="published",
    )
    ZoneFactory(center=center, area_type=counter, owner=staff_user)
    auth = bearer(staff_user)
    mine = client.get("/api/v1/engagement/acknowledgements/mine", **auth).json()
    assert [(row["standard_version_id"], row["acknowledged_at"]) for row in mine] == [
        (version.pk, None)
    ]
    done = client.post(f"/api/v1/engagement/acknowledgements/{version.pk}", **auth)
    assert done.json()["acknowledged_at"] is not None
    assert (
        client.post(
            f"/api/v1/engagement/acknowledgements/{version.pk}", **bearer(viewer)
        ).status_code
        == 403
    )
    services.submit_suggestion(center=center, author=staff_user, kind="slogan", title="人人参与")
    assert client.get("/api/v1/engagement/leaderboard", **bearer(viewer)).json()[0]["points"] == 1
    assert client.get("/api/v1/engagement/leaderboard").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/engagement/acknowledgements/mine"])
def test_viewers_have_no_tasks(client, viewer, path):
    assert client.get(path, **bearer(viewer)).status_code == 403


@pytest.fixture
def objects(center, other_center, staff_user):
    counter = AreaTypeFactory(center=other_center, code="counter")
    from onsite.standards.tests.factories import VersionFactory

    return {
        "post": PostFactory(center=other_center).pk,
        "training": TrainingFactory(center=other_center).pk,
        "suggestion": SuggestionFactory(center=other_center).pk,
        "version": VersionFactory(
            center=other_center,
            standard=StandardFactory(center=other_center, area_type=counter),
            status="published",
        ).pk,
    }


ENDPOINTS = [
    ("get", "/api/v1/engagement/posts", None),
    ("post", "/api/v1/engagement/posts", {"title": "x"}),
    ("get", "/api/v1/engagement/posts/{post}", None),
    ("get", "/api/v1/engagement/training", None),
    ("get", "/api/v1/engagement/training/{training}", None),
    ("post", "/api/v1/engagement/training/{training}/sign-in", {"token": "x"}),
    ("get", "/api/v1/engagement/suggestions", None),
    ("post", "/api/v1/engagement/suggestions", {"kind": "slogan", "title": "x"}),
    ("get", "/api/v1/engagement/suggestions/{suggestion}", None),
    ("post", "/api/v1/engagement/suggestions/{suggestion}/vote", None),
    ("delete", "/api/v1/engagement/suggestions/{suggestion}/vote", None),
    (
        "post",
        "/api/v1/engagement/suggestions/{suggestion}/review",
        {"decision": "accepted", "reason": "x", "version": 1},
    ),
    ("get", "/api/v1/engagement/acknowledgements/mine", None),
    ("post", "/api/v1/engagement/acknowledgements/{version}", None),
    ("get", "/api/v1/engagement/leaderboard", None),
]
WRITES = {(m, p) for m, p, _b in ENDPOINTS if m != "get"} | {
    ("get", "/api/v1/engagement/acknowledgements/mine")
}


def _call(client, method, path, body, objects, **headers):
    url = path.format(**objects)
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, body, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_needs_credentials(client, objects, method, path, body):
    assert _call(client, method, path, body, objects).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if "{" in e[1]])
def test_every_object_endpoint_hides_other_centers(client, objects, leader, method, path, body):
    assert _call(client, method, path, body, objects, **bearer(leader)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"), [e for e in ENDPOINTS if (e[0], e[1]) in WRITES]
)
def test_viewers_may_not_write(client, objects, viewer, method, path, body):
    assert _call(client, method, path, body, objects, **bearer(viewer)).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"), [e for e in ENDPOINTS if "{" not in e[1] and e[0] == "get"]
)
def test_reads_are_allowed(client, objects, staff_user, method, path, body):
    assert _call(client, method, path, body, objects, **bearer(staff_user)).status_code == 200
