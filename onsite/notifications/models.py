from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onsite.core.models import CenterQuerySet, CenterScoped


class NotificationQuerySet(CenterQuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(CenterScoped):
    """An in-app message to one person. The text is a msgid plus parameters, rendered in the
    reader's language when shown (the sender does not know which language that is)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The `notify` call it came from: a delivery run again (its worker died) adds nobody twice.
    batch = models.UUIDField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "user"],
                condition=models.Q(batch__isnull=False),
                name="notification_once_per_batch",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        try:
            return str(gettext(self.message) % self.params)
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)


class DeadlineReminder(CenterScoped):
    """That one thing was reminded of one deadline (`onsite.notifications.reminders`): the
    row that makes a reminder go once per item and due date. A moved deadline is a new key,
    so it is reminded again; a run repeated (or run by two workers) finds the row and sends
    nothing."""

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField()
    due_on = models.DateField(_("due"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_on"], name="deadline_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.due_on}"


# --- work chat (企业微信 / 钉钉) ---------------------------------------------------------------

WECOM_BASE_URL = "https://qyapi.weixin.qq.com"
DINGTALK_BASE_URL = "https://oapi.dingtalk.com"

# The notification kinds a center may send to work chat, in the order the settings page shows
# them. The others stay in the bell (and e-mail) only.
CHAT_KINDS: dict[str, Promise] = {
    "rectification.assigned": _("Rectification assigned"),
    "rectification.due_soon": _("Rectification due soon"),
    "rectification.overdue": _("Rectification overdue"),
    "rectification.returned": _("Rectification returned"),
    "standards.filing_reviewed": _("Item filing decided"),
    "standards.filing_due_soon": _("Item filing lapsing soon"),
    "surveys.opened": _("Survey open"),
    "engagement.acknowledge": _("Standard to acknowledge"),
    "programme.round_opened": _("Rating round opened"),
    "complaints.opened": _("Bad-rating case opened"),
    "complaints.due_soon": _("Bad-rating case due soon"),
    "complaints.overdue": _("Bad-rating case overdue"),
}


def route_field(kind: str) -> str:
    """The settings column that says where `kind` goes."""
    return "route_" + kind.replace(".", "_")


class Route(models.TextChoices):
    NONE = "none", _("Not sent")
    PERSON = "person", _("Work notice to the person")
    GROUP = "group", _("Group robot summary")
    BOTH = "both", _("Both")

    @property
    def to_person(self) -> bool:
        return self in (Route.PERSON, Route.BOTH)

    @property
    def to_group(self) -> bool:
        return self in (Route.GROUP, Route.BOTH)


def _route() -> models.CharField[str, str]:
    return models.CharField(max_length=8, choices=Route.choices, default=Route.PERSON)


class WorkChatSettings(CenterScoped):
    """A center's connection to WeCom and DingTalk: a group robot (webhook) and an app that
    sends work notices to one person, per service, and where each kind of notification goes.
    Secrets are write-only on the page (never shown back once saved)."""

    wecom_enabled = models.BooleanField(_("send to WeCom"), default=False)
    wecom_base_url = models.URLField(
        _("WeCom API address"), default=WECOM_BASE_URL,
        help_text=_("Change it only for a private deployment (WeCom for government)."),
    )  # fmt: skip
    wecom_robot_url = models.URLField(_("WeCom group robot webhook"), max_length=500, blank=True)
    wecom_corpid = models.CharField(_("corp ID (corpid)"), max_length=64, blank=True)
    wecom_corpsecret = models.CharField(_("app secret (corpsecret)"), max_length=128, blank=True)
    wecom_agentid = models.CharField(_("app AgentId"), max_length=20, blank=True)
    dingtalk_enabled = models.BooleanField(_("send to DingTalk"), default=False)
    dingtalk_base_url = models.URLField(
        _("DingTalk API address"), default=DINGTALK_BASE_URL,
        help_text=_("Change it only for a private deployment (DingTalk for government)."),
    )  # fmt: skip
    dingtalk_robot_url = models.URLField(
        _("DingTalk group robot webhook"), max_length=500, blank=True
    )
    dingtalk_robot_secret = models.CharField(_("robot signing secret"), max_length=128, blank=True)
    dingtalk_appkey = models.CharField(_("AppKey"), max_length=64, blank=True)
    dingtalk_appsecret = models.CharField(_("AppSecret"), max_length=128, blank=True)
    dingtalk_agent_id = models.CharField(_("AgentId"), max_length=20, blank=True)

    route_rectification_assigned = _route()
    route_rectification_due_soon = _route()
    route_rectification_overdue = _route()
    route_rectification_returned = _route()
    route_standards_filing_reviewed = _route()
    route_standards_filing_due_soon = _route()
    route_surveys_opened = _route()
    route_engagement_acknowledge = _route()
    route_programme_round_opened = _route()
    route_complaints_opened = _route()
    route_complaints_due_soon = _route()
    route_complaints_overdue = _route()

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("work-chat settings")
        verbose_name_plural = _("work-chat settings")
        constraints = [
            models.UniqueConstraint(fields=["center"], name="work_chat_settings_one_per_center")
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def route(self, kind: str) -> Route:
        if kind not in CHAT_KINDS:
            return Route.NONE
        return Route(getattr(self, route_field(kind)))

    @property
    def wecom_has_app(self) -> bool:
        return bool(self.wecom_corpid and self.wecom_corpsecret and self.wecom_agentid)

    @property
    def dingtalk_has_app(self) -> bool:
        return bool(self.dingtalk_appkey and self.dingtalk_appsecret and self.dingtalk_agent_id)

    def has_person_target(self, channel: str) -> bool:
        if channel == Channel.WECOM:
            return self.wecom_enabled and self.wecom_has_app
        return self.dingtalk_enabled and self.dingtalk_has_app

    def has_group_target(self, channel: str) -> bool:
        if channel == Channel.WECOM:
            return self.wecom_enabled and bool(self.wecom_robot_url)
        return self.dingtalk_enabled and bool(self.dingtalk_robot_url)


SECRET_FIELDS = (
    "wecom_robot_url",  # the key in the webhook lets anyone post to the group
    "wecom_corpsecret",
    "dingtalk_robot_url",  # the access_token in the webhook, likewise
    "dingtalk_robot_secret",
    "dingtalk_appsecret",
)


class Channel(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")


class ChatDelivery(CenterScoped):
    """One message to one work-chat target for one batch of notifications (one `notify`
    call): the row that makes a retry resend only what failed and never what was sent."""

    class Target(models.TextChoices):
        PERSON = "person", _("Work notice")
        GROUP = "group", _("Group robot")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    batch = models.UUIDField()
    channel = models.CharField(_("service"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    kind = models.CharField(_("kind"), max_length=40)
    recipients = models.JSONField(default=list, blank=True)  # user ids (work notices)
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=0)  # people notified in the batch
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work-chat delivery")
        verbose_name_plural = _("work-chat deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "channel", "target"], name="chat_delivery_once_per_target"
            )
        ]
        indexes = [models.Index(fields=["center", "status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.target} {self.kind}"

    @property
    def kind_label(self) -> str:
        return str(CHAT_KINDS.get(self.kind, self.kind))


# The columns the settings page edits, in its order.
CHAT_FIELDS = (
    "wecom_enabled", "wecom_base_url", "wecom_robot_url",
    "wecom_corpid", "wecom_corpsecret", "wecom_agentid",
    "dingtalk_enabled", "dingtalk_base_url", "dingtalk_robot_url", "dingtalk_robot_secret",
    "dingtalk_appkey", "dingtalk_appsecret", "dingtalk_agent_id",
    *(route_field(kind) for kind in CHAT_KINDS),
)  # fmt: skip
