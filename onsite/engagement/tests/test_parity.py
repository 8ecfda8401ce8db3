"""Every engagement write goes through one front door (onsite.engagement.actions), whichever
door a person knocks at: the page and the API operation leave the same state and the same
audit row for an allowed person, refuse a refused one alike (403 `not_allowed` and one
`access.denied` row each), and answer a state conflict with the same code."""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import AreaTypeFactory, UserFactory, ZoneFactory
from onsite.engagement import services
from onsite.engagement.models import Attendance, Post, Suggestion, SuggestionCall, Vote
from onsite.engagement.tests.factories import SuggestionFactory, TrainingFactory
from onsite.org.models import Zone
from onsite.standards.tests.factories import StandardFactory, VersionFactory


@dataclass
class Door:
    method: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Act:
    """One write: how to set it up, its page and API requests, who may and who may not, the
    audit row it leaves and the state it reaches."""

    name: str
    setup: Any  # (center, people) -> object
    page: Any  # object -> Door
    api: Any  # object -> Door
    allowed: str
    refused: str
    audit: str
    state: Any  # object -> comparable
    conflict: Any = None  # (object, people) -> (person, page Door, api Door, code)


def _people(center):
    unit_owner = UserFactory(center=center, username="zone-owner", roles=["staff"])
    return {
        "office": UserFactory(center=center, username="p-office", roles=["office"]),
        "leader": UserFactory(center=center, username="p-leader", roles=["leader"]),
        "member": UserFactory(center=center, username="p-member", roles=["member"]),
        "staff": UserFactory(center=center, username="p-staff", roles=["staff"]),
        "owner": unit_owner,
    }


def _suggestion(center, people, **kwargs):
    return SuggestionFactory(center=center, author=people["staff"], **kwargs)


def _voted(center, people):
    suggestion = _suggestion(center, people)
    Vote.objects.create(center=center, suggestion=suggestion, user=people["member"])
    return suggestion


def _version(center, people):
    area_type = AreaTypeFactory(center=center, code=f"area{Zone.objects.count()}")
    ZoneFactory(center=center, area_type=area_type, owner=people["owner"])
    return VersionFactory(
        center=center,
        standard=StandardFactory(center=center, area_type=area_type),
        status="published",
    )


def _review(suggestion, decision="accepted"):
    return {"decision": decision, "reason": "方向正确", "version": suggestion.version}


def _wrong_state_review(suggestion, people):
    suggestion.status = Suggestion.Status.REJECTED
    suggestion.save(update_fields=["status"])
    data = _review(suggestion, "adopted")
    return (
        "leader",
        Door("post", f"/engagement/suggestions/{suggestion.pk}/review/", data),
        Door("post", f"/api/v1/engagement/suggestions/{suggestion.pk}/review", data),
        "wrong_state",
    )


def _stale_review(suggestion, people):
    data = _review(suggestion) | {"version": suggestion.version + 5}
    return (
        "leader",
        Door("post", f"/engagement/suggestions/{suggestion.pk}/review/", data),
        Door("post", f"/api/v1/engagement/suggestions/{suggestion.pk}/review", data),
        "stale",
    )


def _own_vote(suggestion, people):
    return (
        "staff",
        Door("post", f"/engagement/suggestions/{suggestion.pk}/vote/"),
        Door("post", f"/api/v1/engagement/suggestions/{suggestion.pk}/vote"),
        "own_suggestion",
    )


def _expired_sign_in(training, people):
    return (
        "staff",
        Door("post", f"/engagement/training/{training.pk}/sign-in/", {"t": "expired"}),
        Door("post", f"/api/v1/engagement/training/{training.pk}/sign-in", {"token": "expired"}),
        "expired_code",
    )


def _fresh_center(center, people):
    """A center-wide act on calls: the first door's call is gone before the second knocks."""
    SuggestionCall.objects.filter(center=center).delete()
    return center


def _call_data():
    deadline = timezone.now() + datetime.timedelta(days=3)
    return {"kind": "slogan", "title": "标语征集", "deadline": deadline.strftime("%Y-%m-%dT%H:%M")}


def _open_call(center, people):
    return services.open_call(center=center, by=people["office"], kind="slogan", title="标语征集",
                              body="", deadline=timezone.now() + datetime.timedelta(days=3))  # fmt: skip


def _closed_call(call, people):
    SuggestionCall.objects.filter(pk=call.pk).update(deadline=timezone.now())
    data = {"kind": "slogan", "title": "迟到的标语"}
    return (
        "staff",
        Door("post", f"/engagement/suggestions/new/?call={call.pk}", data),
        Door("post", "/api/v1/engagement/suggestions", data | {"call": call.pk}),
        "call_closed",
    )


def _notice(center, people):
    due = timezone.localdate() + datetime.timedelta(days=3)
    return services.create_post(center=center, by=people["office"], title="通知",
                                body="", confirm=services.Confirmation(due=due))  # fmt: skip


def _asks_nothing(post, people):
    Post.objects.filter(pk=post.pk).update(requires_acknowledgement=False)
    return (
        "staff",
        Door("post", f"/engagement/posts/{post.pk}/confirm/"),
        Door("post", f"/api/v1/engagement/posts/{post.pk}/confirm"),
        "not_asked",
    )


ACTS = [
    Act(
        name="open a call for slogans",
        setup=_fresh_center,
        page=lambda center: Door("post", "/engagement/calls/new/", _call_data()),
        api=lambda center: Door(
            "post",
            "/api/v1/engagement/calls",
            _call_data() | {"deadline": (timezone.now() + datetime.timedelta(days=3)).isoformat()},
        ),
        allowed="office",
        refused="staff",
        audit="engagement.call_opened",
        state=lambda center: list(
            SuggestionCall.objects.filter(center=center).values_list("kind", "title", "post__title")
        ),
    ),
    Act(
        name="submit to a call",
        setup=_open_call,
        page=lambda call: Door(
            "post",
            f"/engagement/suggestions/new/?call={call.pk}",
            {"kind": "slogan", "title": "定位"},
        ),
        api=lambda call: Door(
            "post",
            "/api/v1/engagement/suggestions",
            {"kind": "slogan", "title": "定位", "call": call.pk},
        ),
        allowed="staff",
        refused="viewer",
        audit="engagement.suggestion_submitted",
        state=lambda call: list(call.suggestions.values_list("kind", "title", "status")),
        conflict=_closed_call,
    ),
    Act(
        name="confirm a post was read",
        setup=_notice,
        page=lambda post: Door("post", f"/engagement/posts/{post.pk}/confirm/"),
        api=lambda post: Door("post", f"/api/v1/engagement/posts/{post.pk}/confirm"),
        allowed="staff",
        refused="viewer",
        audit="engagement.post_confirmed",
        state=lambda post: list(post.readings.values_list("user__username", flat=True)),
        conflict=_asks_nothing,
    ),
    Act(
        name="create post",
        setup=lambda center, people: center,
        page=lambda center: Door("post", "/engagement/posts/new/", {"title": "试点完成"}),
        api=lambda center: Door("post", "/api/v1/engagement/posts", {"title": "试点完成"}),
        allowed="office",
        refused="staff",
        audit="engagement.post_created",
        state=lambda center: list(Post.objects.filter(center=center).values_list("title", "kind")),
    ),
    Act(
        name="sign in to a training session",
        setup=lambda center, people: TrainingFactory(center=center),
        page=lambda t: Door(
            "post", f"/engagement/training/{t.pk}/sign-in/", {"t": services.sign_in_token(t)}
        ),
        api=lambda t: Door(
            "post",
            f"/api/v1/engagement/training/{t.pk}/sign-in",
            {"token": services.sign_in_token(t)},
        ),
        allowed="staff",
        refused="viewer",
        audit="engagement.signed_in",
        state=lambda t: list(
            Attendance.objects.filter(training=t).values_list("user__username", "method")
        ),
        conflict=_expired_sign_in,
    ),
    Act(
        name="submit a suggestion",
        setup=lambda center, people: center,
        page=lambda center: Door(
            "post", "/engagement/suggestions/new/", {"kind": "slogan", "title": "人人参与"}
        ),
        api=lambda center: Door(
            "post", "/api/v1/engagement/suggestions", {"kind": "slogan", "title": "人人参与"}
        ),
        allowed="staff",
        refused="viewer",
        audit="engagement.suggestion_submitted",
        state=lambda center: list(
            Suggestion.objects.filter(center=center).values_list("kind", "title", "status")
        ),
    ),
    Act(
        name="vote",
        setup=_suggestion,
        page=lambda s: Door("post", f"/engagement/suggestions/{s.pk}/vote/"),
        api=lambda s: Door("post", f"/api/v1/engagement/suggestions/{s.pk}/vote"),
        allowed="member",
        refused="viewer",
        audit="engagement.voted",
        state=lambda s: list(s.votes.values_list("user__username", flat=True)),
        conflict=_own_vote,
    ),
    Act(
        name="withdraw a vote",
        setup=_voted,
        page=lambda s: Door("post", f"/engagement/suggestions/{s.pk}/vote/", {"withdraw": "1"}),
        api=lambda s: Door("delete", f"/api/v1/engagement/suggestions/{s.pk}/vote"),
        allowed="member",
        refused="viewer",
        audit="engagement.vote_withdrawn",
        state=lambda s: list(s.votes.values_list("user__username", flat=True)),
    ),
    Act(
        name="review a suggestion",
        setup=_suggestion,
        page=lambda s: Door("post", f"/engagement/suggestions/{s.pk}/review/", _review(s)),
        api=lambda s: Door("post", f"/api/v1/engagement/suggestions/{s.pk}/review", _review(s)),
        allowed="leader",
        refused="member",
        audit="engagement.suggestion_accepted",
        state=lambda s: (
            Suggestion.objects.values_list("status", "review_reason", "version").get(pk=s.pk),
            list(s.transitions.values_list("from_status", "to_status")),
        ),
        conflict=_wrong_state_review,
    ),
    Act(
        name="review a suggestion seen in an older version",
        setup=_suggestion,
        page=lambda s: Door("post", f"/engagement/suggestions/{s.pk}/review/", _review(s)),
        api=lambda s: Door("post", f"/api/v1/engagement/suggestions/{s.pk}/review", _review(s)),
        allowed="office",
        refused="viewer",
        audit="engagement.suggestion_accepted",
        state=lambda s: Suggestion.objects.values_list("status", "version").get(pk=s.pk),
        conflict=_stale_review,
    ),
    Act(
        name="acknowledge a published standard",
        setup=_version,
        page=lambda v: Door("post", f"/engagement/acknowledgements/{v.pk}/confirm/"),
        api=lambda v: Door("post", f"/api/v1/engagement/acknowledgements/{v.pk}"),
        allowed="owner",
        refused="viewer",
        audit="engagement.acknowledged",
        state=lambda v: list(
            v.acknowledgements.filter(acknowledged_at__isnull=False).values_list(
                "user__username", flat=True
            )
        ),
    ),
]

PAGE_ONLY = {
    # The API has no operation for these writes: they are the office's desk work on the pages.
    "edit a post": ("post", "/engagement/posts/{post}/edit/"),
    "pin a post": ("post", "/engagement/posts/{post}/pin/"),
    "delete a post": ("post", "/engagement/posts/{post}/delete/"),
    "publish the digest now": ("post", "/engagement/digest/publish/"),
    "plan a training session": ("post", "/engagement/training/new/"),
    "edit a training session": ("post", "/engagement/training/{training}/edit/"),
    "record attendance": ("post", "/engagement/training/{training}/attendance/"),
    "add a training document": ("post", "/engagement/training/{training}/documents/"),
    # The API opens a revision through the review (`open_revision`), not on its own.
    "open a standard revision": ("post", "/engagement/suggestions/{suggestion}/revision/"),
}


def _person(name, people, viewer):
    return viewer if name == "viewer" else people[name]


def _send(name, door, user):
    client = Client()
    if door.url.startswith("/api/"):
        token = ApiToken.issue(user=user, name="parity")[1]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if door.method == "delete" or not door.data:
            return getattr(client, door.method)(door.url, **headers)
        return client.post(door.url, door.data, content_type="application/json", **headers)
    client.force_login(user)
    return getattr(client, door.method)(door.url, door.data)


def _denials():
    return AuditEvent.objects.filter(action="access.denied").count()


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_an_allowed_person_reaches_the_same_state_through_either_door(
    act, center, viewer, django_capture_on_commit_callbacks
):
    people = _people(center)
    outcomes = []
    for door in (act.page, act.api):
        obj = act.setup(center, people)
        rows, state = AuditEvent.objects.filter(action=act.audit).count(), act.state(obj)
        response = _send(act.name, door(obj), _person(act.allowed, people, viewer))
        assert response.status_code in {200, 302}, (response.status_code, response.content[:300])
        assert AuditEvent.objects.filter(action=act.audit).count() == rows + 1
        assert act.state(obj) != state, "the act changed something"
        outcomes.append(act.state(obj))
        if isinstance(obj, type(center)):
            # The center-wide acts: clear the first door's result before the second knocks.
            Post.objects.filter(center=center).delete()
            Suggestion.objects.filter(center=center).delete()
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_a_refused_person_is_refused_alike_through_either_door(act, center, viewer):
    people = _people(center)
    obj = act.setup(center, people)
    before = act.state(obj)
    refused = _person(act.refused, people, viewer)
    denials = _denials()
    page = _send(act.name, act.page(obj), refused)
    assert page.status_code == 403
    assert page["Onsite-Refusal"] == "not_allowed"
    assert _denials() == denials + 1
    api = _send(act.name, act.api(obj), refused)
    assert api.status_code == 403
    assert api.json()["code"] == "not_allowed"
    assert _denials() == denials + 2
    assert act.state(obj) == before


@pytest.mark.parametrize("act", [a for a in ACTS if a.conflict], ids=lambda act: act.name)
def test_a_conflict_gets_the_same_code_through_either_door(act, center, viewer):
    people = _people(center)
    obj = act.setup(center, people)
    who, page_door, api_door, code = act.conflict(obj, people)
    before = act.state(obj)
    page = _send(act.name, page_door, people[who])
    assert page["Onsite-Refusal"] == code
    api = _send(act.name, api_door, people[who])
    assert api.status_code == 409
    assert api.json()["code"] == code
    assert act.state(obj) == before


@pytest.mark.parametrize("name", PAGE_ONLY)
def test_page_only_writes_refuse_alike(name, center, staff_user):
    people = _people(center)
    objects = {
        "post": Post.objects.create(center=center, title="动态"),
        "training": TrainingFactory(center=center),
        "suggestion": _suggestion(center, people),
    }
    method, url = PAGE_ONLY[name]
    denials = _denials()
    response = _send(
        name, Door(method, url.format(**{k: o.pk for k, o in objects.items()})), staff_user
    )
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert _denials() == denials + 1
