"""Demo engagement of the source document: the publicity column (宣传专栏) with the launch,
the pilot and the study visit, a notice the windows confirm having read, an open call for
slogans of the set-in-order stage; the call for slogans and improvement proposals in every state
(one adopted proposal opened a revision of the front-counter standard); the all-staff
training at the mobilisation meeting and an upcoming one on the counter standard; staff
acknowledging the published standards; this week's digest. Keyed by titles: running it twice
changes nothing."""

from __future__ import annotations

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from onsite.accounts.models import Role, User
from onsite.core.images import CleanPhoto, clean_photo
from onsite.core.models import Center
from onsite.engagement import services
from onsite.engagement.digest import Week, publish_digest
from onsite.engagement.models import (
    Attendance,
    Post,
    Suggestion,
    SuggestionCall,
    Training,
    Vote,
    point_source,
)
from onsite.org.models import AreaType
from onsite.standards.models import StandardVersion

POSTS = [
    ("“标准化现场管理”建设正式启动", True,
     "中心召开推介会,全面系统介绍“标准化现场管理”理念与知识,并分发现场管理现状及认同程度调查问卷。\n\n"
     "动员会上全员培训,明确将“标准化现场管理”建设作为中心年度重点和创新工作。市场监管、卫计等窗口及个人代表作表态发言,"
     "进一步强化人人参与、人人有责的共识。"),
    ("试点窗口完成整理阶段", False,
     "督查科及市场监管、烟草、卫计、商务、统计5个试点窗口完成整理阶段:区分需要的与不需要的,保留需要的,去掉不需要的,"
     "为物资、资料腾出空间。下一步进入整顿阶段,按“三易三定”进行定位、定容、定数。"),
    ("参观学习:企业标准现场管理", False,
     "中心组织行政审批科负责人到衢州乌溪江水电站参观企业标准现场管理情况,进一步提高感性认识。"),
]  # fmt: skip

SLOGANS = [
    ("人人参与,人人有责", "adopted"),
    ("整理整顿天天做,清扫清洁时时行", "accepted"),
    ("标准化从我做起,从台面做起", "submitted"),
    ("现场整洁,服务贴心", "rejected"),
]
PROPOSALS = [
    ("前台台面增加物品定位标识", "在台面上用行迹管理的方式标出水杯、电话、笔筒的位置,物品用完归位一目了然。",
     "adopted", "counter"),
    ("印泥和高拍仪统一放在台面右侧", "办事群众按印、扫描时都在右侧,统一位置可减少来回挪动。", "accepted", "counter"),
    ("中间办公室文件柜贴目视化标签", "文件柜按业务类别贴颜色标签,找资料更快。", "submitted", "back-office"),
    ("等候区增加饮水机", "等候时间较长的群众需要饮水。", "rejected", None),
    ("建议前台台面增加物品定位标识", "用胶带标出每件物品的位置。", "submitted", "counter"),
]  # fmt: skip


def _photo(rng: random.Random, colour: tuple[int, int, int]) -> CleanPhoto:
    """A drawn stand-in for a counter photo, taken through the normal photo intake."""
    picture = Image.new("RGB", (960, 640), (236, 232, 224))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((60, 300, 900, 600), fill=(190, 160, 120))  # the counter top
    for _ in range(5):
        x = rng.randint(100, 800)
        draw.rectangle(
            (x, 330, x + 80, 330 + rng.randint(40, 120)), fill=colour, outline=(40, 40, 40)
        )
    draw.rectangle((0, 0, 960, 60), fill=(11, 37, 69))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return clean_photo(SimpleUploadedFile("demo.png", out.getvalue(), content_type="image/png"))


@transaction.atomic
def seed(center: Center) -> None:
    rng = random.Random(f"onsite-engagement-{center.code}")  # noqa: S311 - reproducible demo data
    now = timezone.now()
    people = list(User.objects.filter(center=center, is_active=True).order_by("username"))
    if not people:
        return
    office = next((u for u in people if u.has_role(Role.OFFICE)), people[0])
    leader = next((u for u in people if u.has_role(Role.LEADER)), office)
    staff = [u for u in people if u.has_role(Role.STAFF)] or people

    for index, (title, pinned, body) in enumerate(POSTS):
        if Post.objects.filter(center=center, kind=Post.Kind.POST, title=title).exists():
            continue
        photos = [_photo(rng, (200, 40, 40)), _photo(rng, (40, 90, 200))] if index < 2 else []
        post = services.create_post(center=center, by=office, title=title, body=body,
                                    is_pinned=pinned, photos=photos)  # fmt: skip
        Post.objects.filter(pk=post.pk).update(
            published_at=now - datetime.timedelta(days=40 - 15 * index)
        )

    area_types = {a.code: a for a in AreaType.objects.filter(center=center)}
    created: list[Suggestion] = []
    ideas: list[tuple[str, str, str, str, str | None]] = [
        ("slogan", title, "", status, None) for title, status in SLOGANS
    ]
    ideas += [("proposal", title, body, status, area) for title, body, status, area in PROPOSALS]
    for kind, title, body, status, area in ideas:
        if Suggestion.objects.filter(center=center, title=title).exists():
            continue
        author = rng.choice(staff)
        suggestion = services.submit_suggestion(
            center=center, author=author, kind=kind, title=title, body=body,
            area_type=area_types.get(area) if area else None,
            photos=[_photo(rng, (60, 160, 60))] if kind == "proposal" and status == "adopted" else [],
        ).suggestion  # fmt: skip
        created.append(suggestion)
        voters = rng.sample(
            [u for u in staff if services.may_vote(suggestion, u)],
            k=min(len(staff) - 1, rng.randint(2, 25)),
        )
        Vote.objects.bulk_create(
            Vote(center=center, suggestion=suggestion, user=voter) for voter in voters
        )
        if status != "submitted":
            reasons = {
                "accepted": "方向正确,纳入下阶段整顿工作统筹考虑。",
                "rejected": "与现行规定重复,暂不采纳。",
                "adopted": "采纳。已纳入标准修订。",
            }
            opens = kind == "proposal" and status == "adopted" and area is not None
            has_standard = (
                opens
                and StandardVersion.objects.filter(
                    center=center, standard__area_type=area_types.get(area or "")
                ).exists()
            )
            services.review_suggestion(
                suggestion, by=leader, decision=status, reason=reasons[status],
                expected_version=suggestion.version, open_revision=bool(has_standard),
            )  # fmt: skip

    _seed_training(center, rng, office=office, people=people, now=now)
    _seed_acknowledgements(center)
    _seed_call_and_notice(center, rng, office=office, staff=staff)
    today = timezone.localdate()
    for day in (today - datetime.timedelta(days=7), today):
        if not Post.objects.filter(
            center=center, kind=Post.Kind.DIGEST, week=Week.of(day).start
        ).exists():
            publish_digest(center, day=day)


def _seed_training(
    center: Center, rng: random.Random, *, office: User, people: list[User], now: datetime.datetime
) -> None:
    if not Training.objects.filter(center=center, topic="“标准化现场管理”全员培训").exists():
        start = (now - datetime.timedelta(days=100)).replace(
            hour=14, minute=30, second=0, microsecond=0
        )
        training = services.create_training(center=center, by=office, data={
            "topic": "“标准化现场管理”全员培训", "starts_at": start, "ends_at": start + datetime.timedelta(hours=2),
            "place": "三楼大会议室", "trainer_name": "浙江省标准化协会技术团队",
            "description": "动员会全员培训:标准化现场管理的理念、5S方法与中心推行计划。",
        })  # fmt: skip
        present = rng.sample(people, k=round(len(people) * 0.86))
        Attendance.objects.bulk_create(
            Attendance(center=center, training=training, user=person, method=Attendance.Method.QR,
                       signed_at=start + datetime.timedelta(minutes=rng.randint(-20, 10)))
            for person in present
        )  # fmt: skip
        for person in present:
            services.award(
                person, reason="trained", source=point_source(training), center_id=center.pk
            )
    if not Training.objects.filter(center=center, topic="前台执行标准培训").exists():
        start = (now + datetime.timedelta(days=6)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        counter = StandardVersion.objects.published().filter(
            center=center, standard__area_type__code="counter"
        )
        windows = list({u.unit for u in people if u.unit and u.unit.kind == "window"})
        services.create_training(center=center, by=office, data={
            "topic": "前台执行标准培训", "starts_at": start, "ends_at": start + datetime.timedelta(hours=1),
            "place": "一楼大厅", "trainer": office, "units": windows, "standard_versions": list(counter),
            "description": "讲解前台台面物品摆放标准、定位标识与报备流程,新进人员必须参加。",
        })  # fmt: skip


CALL_TITLE = "“整顿阶段”标语征集"
NOTICE_TITLE = "关于开展整顿阶段现场检查的通知"


def _seed_call_and_notice(
    center: Center, rng: random.Random, *, office: User, staff: list[User]
) -> None:
    """An open call for slogans with a few entries, and a notice the windows must confirm
    having read (about half have)."""
    today = timezone.localdate()
    if not SuggestionCall.objects.filter(center=center, title=CALL_TITLE).exists():
        call = services.open_call(
            center=center, by=office, kind="slogan", title=CALL_TITLE,
            body="<p>围绕“三易三定”征集整顿阶段标语,每人限投三条,优秀标语将制作成宣传牌。</p>",
            deadline=timezone.now() + datetime.timedelta(days=10), units=[],
        )  # fmt: skip
        for title in ("物有其位,位有其物", "三定三易,井然有序", "定位定量,一目了然"):
            services.submit_suggestion(
                center=center, author=rng.choice(staff), kind="slogan", title=title, call=call
            )
    if not Post.objects.filter(center=center, title=NOTICE_TITLE).exists():
        windows = sorted({u.unit for u in staff if u.unit and u.unit.kind == "window"},
                         key=lambda unit: unit.pk)  # fmt: skip
        notice = services.create_post(
            center=center, by=office, title=NOTICE_TITLE,
            body="<p>下周起督查科按整顿阶段标准对各窗口进行现场检查,请各窗口对照标准自查。</p>",
            confirm=services.Confirmation(due=today + datetime.timedelta(days=4), units=windows),
        )  # fmt: skip
        people = list(services.post_readers_required(notice).order_by("pk"))
        for person in rng.sample(people, k=len(people) // 2):
            services.confirm_read(notice, user=person)


def _seed_acknowledgements(center: Center) -> None:
    services.ensure_acknowledgements(center=center)
    for version in (
        StandardVersion.objects.published().filter(center=center).select_related("standard")
    ):
        people = list(services.required_people(version).order_by("pk"))
        rng = random.Random(f"onsite-ack-{center.code}-{version.number}")  # noqa: S311
        for person in rng.sample(people, k=round(len(people) * 0.7)):
            services.acknowledge(version, user=person)
