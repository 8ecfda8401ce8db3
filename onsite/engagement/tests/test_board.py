import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onsite.audit.models import AuditEvent
from onsite.engagement.models import Photo, Post
from onsite.engagement.poster import OwnFilesOnly, poster_pdf
from onsite.engagement.tests.factories import PostFactory, png


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def post(center):
    return PostFactory(center=center, title="整理阶段完成")


def test_office_posts_with_photos_and_formatting(client_for, office_user, center):
    client = client_for(office_user)
    response = client.post("/engagement/posts/new/", {
        "title": "试点窗口整理完成",
        "body": '<p>第一阶段<strong>完成</strong></p><script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">链接</a><img src=x onerror=alert(1)>',
        "is_pinned": "on", "photos": [png("a.png"), png("b.png", colour=(0, 90, 200))],
        "submission_key": "k-1",
    })  # fmt: skip
    post = Post.objects.get(title="试点窗口整理完成")
    assert response.status_code == 302
    assert post.is_pinned
    assert "<strong>完成</strong>" in post.body
    for bad in ("<script", "javascript:", "onclick", "onerror", "<img"):
        assert bad not in post.body
    photos = list(post.photos.all())
    assert len(photos) == 2
    assert all(p.image.read(3) == b"\xff\xd8\xff" for p in photos), "stored as our own JPEG"
    assert AuditEvent.objects.filter(
        action="engagement.post_created", object_id=str(post.pk)
    ).exists()
    # A double submit (same key) makes no second post.
    client.post("/engagement/posts/new/", {"title": "试点窗口整理完成", "submission_key": "k-1"})
    assert Post.objects.filter(title="试点窗口整理完成").count() == 1


def test_plain_text_keeps_its_paragraphs(client_for, office_user):
    client_for(office_user).post(
        "/engagement/posts/new/", {"title": "通知", "body": "第一段\n\n第二段 <不是标签"}
    )
    body = Post.objects.get(title="通知").body
    assert body.count("<p>") == 2
    assert "&lt;不是标签" in body


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(client_for, office_user):
    fake = SimpleUploadedFile(
        "x.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", content_type="image/png"
    )
    response = client_for(office_user).post(
        "/engagement/posts/new/", {"title": "带坏照片", "body": "保留正文", "photos": [fake]}
    )
    assert response.status_code == 200
    assert not Post.objects.filter(title="带坏照片").exists()
    assert not Photo.objects.exists()
    assert "保留正文" in response.content.decode()


def test_edit_detects_a_concurrent_change_and_removes_photos(client_for, office_user, post, center):
    client = client_for(office_user)
    client.post(
        f"/engagement/posts/{post.pk}/edit/",
        {"title": "改1", "body": "x", "version": post.version, "photos": [png()]},
    )
    post.refresh_from_db()
    assert post.title == "改1"
    assert post.photos.count() == 1
    stale = {"title": "改2", "body": "y", "version": post.version - 1}
    response = client.post(f"/engagement/posts/{post.pk}/edit/", stale)
    assert response.status_code == 409, "a stale version is a conflict (issue 15)"
    assert response["Onsite-Refusal"] == "stale"
    post.refresh_from_db()
    assert post.title == "改1"
    photo = post.photos.get()
    client.post(
        f"/engagement/posts/{post.pk}/edit/",
        {"title": "改3", "body": "y", "version": post.version, "remove_photo": [photo.pk]},
    )
    assert not post.photos.exists()


def test_pin_and_delete(client_for, office_user, post):
    client = client_for(office_user)
    client.post(f"/engagement/posts/{post.pk}/pin/", {"pinned": "1", "version": post.version})
    post.refresh_from_db()
    assert post.is_pinned
    client.post(f"/engagement/posts/{post.pk}/delete/")
    assert not Post.objects.filter(pk=post.pk).exists()


def test_the_board_lists_pinned_first(client_for, staff_user, center):
    PostFactory(center=center, title="普通动态")
    PostFactory(center=center, title="置顶公告", is_pinned=True)
    body = client_for(staff_user).get("/engagement/").content.decode()
    assert body.index("置顶公告") < body.index("普通动态")


def test_the_poster_is_a_pdf_with_chinese_text(client_for, staff_user, post):
    Photo.objects.all().delete()
    response = client_for(staff_user).get(f"/engagement/posts/{post.pk}/poster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(  # noqa: S603 - our own PDF into a system tool
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "整理阶段完成" in text
    assert "XX市行政服务中心" in text


def test_the_poster_embeds_photos(client_for, office_user, center):
    client = client_for(office_user)
    client.post("/engagement/posts/new/", {"title": "有照片", "photos": [png()]})
    post = Post.objects.get(title="有照片")
    pdf = client.get(f"/engagement/posts/{post.pk}/poster.pdf").content
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


@pytest.mark.parametrize("url", [
    "http://example.com/x.png", "https://onsite.invalid/media/engagement/x.jpg",
    "file:///etc/passwd", "https://onsite.invalid/static/../../config/settings.py",
    "https://evil.example/static/engagement/poster.css",
])  # fmt: skip
def test_the_pdf_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(ValueError, match="refused"):
        OwnFilesOnly().fetch(url)


def test_the_pdf_fetcher_serves_static_files_and_data_uris():
    fetcher = OwnFilesOnly()
    css = fetcher.fetch("https://onsite.invalid/static/engagement/poster.css")
    assert b"@page" in css.read()
    data = fetcher.fetch("data:text/plain;base64,5L2g5aW9")
    assert data.read() == "你好".encode()


def test_a_post_with_hostile_html_still_makes_a_poster(center):
    post = PostFactory(center=center, body='<p>ok</p><img src="file:///etc/passwd">')
    assert poster_pdf(post).startswith(b"%PDF")


def test_photos_are_served_only_within_the_center(client_for, office_user, other_admin, staff_user):
    client_for(office_user).post("/engagement/posts/new/", {"title": "照片", "photos": [png()]})
    photo = Photo.objects.get()
    client = client_for(staff_user)
    assert client.get(f"/engagement/photos/{photo.pk}/").status_code == 200
    assert client.get(f"/engagement/photos/{photo.pk}/thumb/")["Content-Type"] == "image/jpeg"
    other = client_for(other_admin)
    assert other.get(f"/engagement/photos/{photo.pk}/").status_code == 404
    assert other.get(f"/engagement/photos/{photo.pk}/thumb/").status_code == 404


def test_the_digest_appears_on_the_board_and_the_big_screen(client_for, office_user, staff_user):
    client = client_for(office_user)
    response = client.post("/engagement/digest/publish/")
    digest = Post.objects.get(kind=Post.Kind.DIGEST)
    assert response.status_code == 302
    board = client_for(staff_user).get("/engagement/").content.decode()
    assert 'data-testid="latest-digest"' in board
    assert zh("Top contributors this week") in board
    screen = client_for(staff_user).get("/engagement/screen/").content.decode()
    assert 'data-slide="digest"' in screen
    assert digest.title in screen
    # A digest is the system's: it cannot be edited by hand.
    client.post(
        f"/engagement/posts/{digest.pk}/edit/", {"title": "篡改", "version": digest.version}
    )
    digest.refresh_from_db()
    assert digest.title != "篡改"


# --- allowed and denied ----------------------------------------------------------------

READ = [
    "/engagement/",
    "/engagement/screen/",
    "/engagement/posts/{pk}/",
    "/engagement/posts/{pk}/poster.pdf",
]
EDIT_PAGES = ["/engagement/posts/new/", "/engagement/posts/{pk}/edit/"]
EDIT_POSTS = [
    "/engagement/posts/{pk}/pin/",
    "/engagement/posts/{pk}/delete/",
    "/engagement/digest/publish/",
]


def test_reading_the_board_is_for_everyone_of_the_center(
    client_for, staff_user, viewer, auditor, post
):
    for user in (staff_user, viewer):
        client = client_for(user)
        for url in READ:
            assert client.get(url.format(pk=post.pk)).status_code == 200, (user, url)
    # 三权分立: the auditor reads the audit trail and nothing else.
    client = client_for(auditor)
    for url in READ:
        assert client.get(url.format(pk=post.pk)).status_code == 403, url


def test_editing_is_for_the_office(client_for, office_user, post):
    client = client_for(office_user)
    for url in EDIT_PAGES:
        assert client.get(url.format(pk=post.pk)).status_code == 200, url


def test_editing_is_denied_to_staff_and_viewers(client_for, staff_user, viewer, post):
    for user in (staff_user, viewer):
        client = client_for(user)
        for url in EDIT_PAGES:
            assert client.get(url.format(pk=post.pk)).status_code == 403, url
        for url in EDIT_POSTS:
            assert client.post(url.format(pk=post.pk)).status_code == 403, url
    assert Post.objects.filter(pk=post.pk).exists()


def test_state_changes_only_on_post(client_for, office_user, post):
    client = client_for(office_user)
    for url in EDIT_POSTS:
        assert client.get(url.format(pk=post.pk)).status_code == 405, url


def test_another_centers_post_is_404(client_for, other_admin, post):
    client = client_for(other_admin)
    for url in READ[2:] + EDIT_PAGES[1:]:
        assert client.get(url.format(pk=post.pk)).status_code == 404, url
    for url in EDIT_POSTS[:2]:
        assert client.post(url.format(pk=post.pk)).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client, post):
    for url in READ + EDIT_PAGES + ["/engagement/photos/1/"]:
        response = client.get(url.format(pk=post.pk))
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_the_board_keeps_a_fixed_query_count(
    client_for, staff_user, center, django_assert_max_num_queries
):
    client = client_for(staff_user)
    PostFactory(center=center)
    with django_assert_max_num_queries(30) as small:
        client.get("/engagement/")
        client.get("/engagement/screen/")
    for n in range(15):
        post = PostFactory(center=center, is_pinned=n % 3 == 0)
        Photo.objects.create(center=center, post=post, image="x.jpg", thumbnail="t.jpg")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/engagement/")
        client.get("/engagement/screen/")


def test_photos_count_against_the_daily_quota(client_for, office_user, settings):
    """Issue 15: the daily photo quota (accounts.uploads) applies to the board's photos."""
    settings.PHOTO_DAILY_QUOTA = 2
    client = client_for(office_user)
    client.post(
        "/engagement/posts/new/", {"title": "第一条", "photos": [png("a.png"), png("b.png")]}
    )
    assert Post.objects.get(title="第一条").photos.count() == 2
    response = client.post("/engagement/posts/new/", {"title": "第二条", "photos": [png("c.png")]})
    assert response.status_code == 200
    assert not Post.objects.filter(title="第二条").exists()
    with translation.override("zh-hans"):
        limit = translation.gettext(
            "You have reached today's limit of %(limit)d photos. Please try again tomorrow."
        ) % {"limit": 2}
    assert limit in response.content.decode()


def _digest_with_before_and_after(center):
    item = {
        "text": "地面有杂物", "meta": "w01-c 前台", "meta_label": "", "value": None,
        "value_label": "", "photos": [], "url": "/rectification/7/",
        "before": ["/inspections/photos/3/?size=thumb"],
        "after": ["/rectification/photos/4/?size=thumb"],
    }  # fmt: skip
    section = {
        "key": "closed_rectifications", "title": "Closed rectifications, before and after",
        "stats": [], "items": [item], "empty": "",
    }  # fmt: skip
    return PostFactory(
        center=center, kind=Post.Kind.DIGEST, title="本周简报", week="2026-11-23",
        digest={"week": "2026-11-23", "sections": [section]},
    )  # fmt: skip


@pytest.mark.parametrize("path", ["/engagement/", "/engagement/screen/", "/engagement/posts/{pk}/"])
def test_before_and_after_photos_show_only_to_whoever_may_open_them(
    path, client_for, center, staff_user
):
    """The walk as the system admin met broken images: a digest's before/after thumbnails
    are the inspections' and rectifications' photos, which that role may not open (403)."""
    from onsite.core.tests.factories import UserFactory

    digest = _digest_with_before_and_after(center)
    sysadmin = UserFactory(center=center, username="sys1", roles=["sysadmin"])
    url = path.format(pk=digest.pk)
    seen = client_for(staff_user).get(url).content.decode()
    assert "/inspections/photos/3/?size=thumb" in seen
    assert "/rectification/photos/4/?size=thumb" in seen
    hidden = client_for(sysadmin).get(url)
    assert hidden.status_code == 200
    assert "地面有杂物" in hidden.content.decode()
    assert "/photos/" not in hidden.content.decode()


def test_the_big_screen_names_its_icon(client_for, staff_user):
    """Without it the browser asks for /favicon.ico, which answers 404 (a console error on
    the screen a TV shows all day)."""
    page = client_for(staff_user).get("/engagement/screen/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in page
