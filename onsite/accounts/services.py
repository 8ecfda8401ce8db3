"""Identity and separation of duties: sign-in with lockout, sessions, passwords, second
factor, role grants, enabling and disabling accounts. Every change is audited in the same
transaction."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pyotp
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from onsite.accounts.models import (
    ADMIN_ROLES,
    DUTY_ROLES,
    ROLE_RANK,
    LoginFailure,
    Role,
    RoleGrant,
    TotpDevice,
    User,
    UserSession,
)
from onsite.accounts.signals import account_created
from onsite.audit.models import Outcome
from onsite.audit.services import client_ip, record_event
from onsite.core.concurrency import claim_submission, existing_submission
from onsite.core.models import Center

if TYPE_CHECKING:
    from onsite.org.models import Unit

AUTH_AT = "onsite_auth_at"
LAST_SEEN = "onsite_last_seen"
LOGOUT_REASON = "onsite_logout_reason"
SSO_SESSION = "onsite_sso"  # how this session signed in at the identity service (accounts.sso)

# --- lockout ------------------------------------------------------------------------------


def _username_key(username: str) -> str:
    return username.strip().casefold()[:150]


def _locked_until(failures: list[datetime], *, limit: int, now: datetime) -> datetime | None:
    """`failures` newest first. Locked when the `limit` newest fell within one lockout
    window, until a window after the newest of them."""
    if limit <= 0 or len(failures) < limit:
        return None
    window = timedelta(seconds=settings.LOCKOUT_SECONDS)
    newest, oldest = failures[0], failures[limit - 1]
    if newest - oldest > window:
        return None
    until = newest + window
    return until if now < until else None


def locked_until(username: str, ip: str | None, *, now: datetime | None = None) -> datetime | None:
    """When sign-in for (username, IP), or for the username from anywhere, opens again; None
    when it is open. Unknown usernames lock exactly like known ones."""
    now = now or timezone.now()
    key = _username_key(username)
    since = now - 2 * timedelta(seconds=settings.LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(username=key, at__gte=since).order_by("-at")
    pair = list(recent.filter(ip=ip).values_list("at", flat=True)[: settings.LOCKOUT_FAILURES])
    anywhere = list(recent.values_list("at", flat=True)[: settings.LOCKOUT_USERNAME_FAILURES])
    candidates = [
        _locked_until(pair, limit=settings.LOCKOUT_FAILURES, now=now),
        _locked_until(anywhere, limit=settings.LOCKOUT_USERNAME_FAILURES, now=now),
    ]
    found = [until for until in candidates if until is not None]
    return max(found) if found else None


def register_failure(request: HttpRequest, *, username: str, reason: str) -> datetime | None:
    """Counts a failed sign-in (password or second factor) and audits it; also audits the
    lockout it may start. Returns the lockout's end, if this failure started one."""
    ip = client_ip(request)
    key = _username_key(username)
    known = User.objects.filter(username=username).select_related("center").first()
    center = known.center if known else None
    now = timezone.now()
    # Old failures of this name no longer count; drop them so the table stays small.
    LoginFailure.objects.filter(
        username=key, at__lt=now - 2 * timedelta(seconds=settings.LOCKOUT_SECONDS)
    ).delete()
    LoginFailure.objects.create(username=key, ip=ip, at=now)
    record_event(
        request,
        action="auth.login_failed",
        obj=known,
        outcome=Outcome.FAILURE,
        detail={"username": username[:150], "reason": reason},
        center=center,
    )
    until = locked_until(username, ip)
    if until is not None:
        record_event(
            request,
            action="auth.lockout",
            obj=known,
            outcome=Outcome.DENIED,
            detail={"username": username[:150], "until": until.isoformat()},
            center=center,
        )
    return until


def record_locked_attempt(request: HttpRequest, *, username: str) -> None:
    known = User.objects.filter(username=username).select_related("center").first()
    record_event(
        request,
        action="auth.login_locked",
        obj=known,
        outcome=Outcome.DENIED,
        detail={"username": username[:150]},
        center=known.center if known else None,
    )


def clear_failures(*, username: str, ip: str | None = None) -> None:
    failures = LoginFailure.objects.filter(username=_username_key(username))
    if ip is not None:
        failures = failures.filter(ip=ip)
    failures.delete()


@transaction.atomic
def unlock_user(request: HttpRequest, *, user: User) -> int:
    removed, _ = LoginFailure.objects.filter(username=_username_key(user.username)).delete()
    record_event(request, action="auth.unlock", obj=user, detail={"failures": removed})
    return removed


# --- sessions -----------------------------------------------------------------------------


def complete_login(
    request: HttpRequest,
    user: User,
    *,
    second_factor: bool = False,
    sso: dict[str, str] | None = None,
) -> None:
    """The one way a person becomes signed in, by password or by single sign-on: rotates the
    session key (login() does), stamps the session for the idle and absolute limits,
    remembers the session so disabling the account can end it, clears this IP's failures and
    audits the sign-in. `sso` is what signing out at the identity service needs later
    (protocol, ID token or CAS ticket)."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    if sso:
        request.session[SSO_SESSION] = sso
    request.session.save()
    ip = client_ip(request)
    if request.session.session_key:
        UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={"user": user, "ip": ip, "sso_ticket": (sso or {}).get("ticket", "")},
        )
    clear_failures(username=user.username, ip=ip)
    detail: dict[str, object] = {"second_factor": True} if second_factor else {}
    if sso:
        detail["method"] = sso["protocol"]
    record_event(
        request,
        action="auth.login",
        obj=user,
        actor=user,
        center=user.center,
        detail=detail or None,
    )


def end_sso_session(ticket: str) -> int:
    """Ends the sessions signed in with this CAS ticket (the identity service's single logout);
    returns how many. The trail names whose session it was."""
    rows = list(UserSession.objects.filter(sso_ticket=ticket).select_related("user__center"))
    if not rows:
        return 0
    Session.objects.filter(session_key__in=[row.session_key for row in rows]).delete()
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    for row in rows:
        record_event(
            None,
            action="auth.logout",
            obj=row.user,
            actor=row.user,
            center=row.user.center,
            detail={"method": "cas", "single_logout": True},
        )
    return len(rows)


def end_sessions(user: User) -> int:
    """Deletes every session of `user` from the session store."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def idle_limit(user: User) -> int:
    if user.is_admin:
        return int(settings.SESSION_IDLE_SECONDS_ADMIN)
    return int(settings.SESSION_IDLE_SECONDS)


class AlreadySubmitted(Exception):  # noqa: N818 - a signal to the caller, not a failure
    """The same form was submitted before; `object_id` is what the first submit made."""

    def __init__(self, object_id: str) -> None:
        super().__init__(object_id)
        self.object_id = object_id


# --- passwords ----------------------------------------------------------------------------


def make_temporary_password() -> str:
    """12 characters from every class: passes the policy, readable aloud (no 0/O, 1/l/I)."""
    pools = ["abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "@#+=?!"]
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def change_password(request: HttpRequest, *, user: User, old: str, new: str) -> None:
    """The user's own change. Raises ValidationError (in the user's language) when the old
    password is wrong or the new one breaks the policy; nothing is saved then."""
    if not user.check_password(old):
        raise ValidationError(_("Your current password is not correct."), code="wrong_password")
    validate_password(new, user)
    user.set_password(new)  # PasswordHistoryValidator.password_changed keeps the history
    user.must_change_password = False
    user.save()
    user.refresh_from_db(fields=["password_changed_at"])
    record_event(request, action="auth.password_change", obj=user)


@transaction.atomic
def reset_password(request: HttpRequest, *, user: User, batch: str = "") -> str:
    """A system admin issues a temporary password: it works once, then must be changed.
    Other sessions of the user end. Returns the password to hand over (shown once).
    `batch` names the printed sheet it was issued on, if any (in the audit row)."""
    temporary = make_temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    user.save()
    ended = end_sessions(user)
    clear_failures(username=user.username)
    detail: dict[str, object] = {"sessions_ended": ended}
    if batch:
        detail["batch"] = batch
    record_event(request, action="auth.password_reset", obj=user, detail=detail)
    return temporary


# Hashing a password is slow on purpose (about 0.3-1 s each): a sheet holds as many as one
# request can secure well within the server's timeout.
PASSWORD_BATCH = 40
PASSWORDS_SCOPE = "accounts.passwords"


def awaits_first_password() -> Q:
    """Never signed in, or no usable password yet (staff made by the organisation import)."""
    return Q(last_login__isnull=True) | Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def accounts_for_passwords(center: Center, *, by: User) -> QuerySet[User]:
    """Whom the system admin may give a temporary password in bulk: this center's enabled
    accounts, never their own and never a holder of a separate duty (those are reset by the
    security admin, one by one)."""
    duties = RoleGrant.objects.filter(role__in=DUTY_ROLES).values("user_id")
    return (
        User.objects.filter(center=center, is_active=True).exclude(pk=by.pk).exclude(pk__in=duties)
    )


def check_password_batch(center: Center, *, by: User, users: Sequence[User]) -> None:
    """Raises ValidationError when the selection is empty, too large for one sheet or holds
    someone `by` may not give a password in bulk."""
    if not users:
        raise ValidationError(_("Select at least one person."), code="empty")
    if len(users) > PASSWORD_BATCH:
        raise ValidationError(
            _("At most %(limit)d people at a time; issue the others in another round.")
            % {"limit": PASSWORD_BATCH},
            code="too_many",
        )
    wanted = {user.pk for user in users}
    allowed = set(
        accounts_for_passwords(center, by=by).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if allowed != wanted:
        raise ValidationError(
            _("Some of the selected people cannot be given a password here."), code="not_allowed"
        )


@transaction.atomic
def issue_temporary_passwords(
    request: HttpRequest, *, center: Center, users: Sequence[User], submission_key: str = ""
) -> list[tuple[User, str]]:
    """Gives each of `users` a temporary password to change at first sign-in (one audit row
    each, grouped by a batch id). Returns (account, password) pairs to print once: nothing
    keeps the passwords. Raises ValidationError (see check_password_batch) and
    AlreadySubmitted for a repeated submit."""
    by = request.user
    assert isinstance(by, User)  # noqa: S101 - narrows the type for mypy
    check_password_batch(center, by=by, users=users)
    batch = uuid.uuid4().hex
    if submission_key:
        first = claim_submission(
            center=center, user=by, scope=PASSWORDS_SCOPE, key=submission_key, object_id=batch
        )
        if first != batch:
            raise AlreadySubmitted(first)
    return [(user, reset_password(request, user=user, batch=batch)) for user in users]


# --- accounts and roles (三权分立) ----------------------------------------------------------


def check_role_combination(roles: Iterable[str]) -> None:
    """Raises ValidationError when `roles` breaks the separation of duties."""
    wanted = set(roles)
    duties = sorted(wanted.intersection(DUTY_ROLES), key=ROLE_RANK.__getitem__)
    if len(duties) > 1:
        raise ValidationError(
            _(
                "%(roles)s are separate duties: one account holds at most one of "
                "system admin, security admin and auditor."
            )
            % {"roles": ", ".join(str(Role(role).label) for role in duties)},
            code="separation_of_duties",
        )
    if Role.AUDITOR in wanted and len(wanted) > 1:
        raise ValidationError(
            _("The auditor reads the audit trail and does nothing else: it cannot be combined."),
            code="separation_of_duties",
        )


def may_manage_account(actor: User, target: User) -> bool:
    """Who resets a password or disables an account: the security admin for holders of a
    duty role (so the system admin cannot take over the auditor's account), the system admin
    for everyone else. Nobody for themselves."""
    if actor.pk == target.pk:
        return False
    if target.roles & set(DUTY_ROLES):
        return actor.has_role(Role.SECADMIN)
    return actor.has_role(Role.SYSADMIN)


# Roles a security admin may grant in a center (the cross-center viewer has no center).
GRANTABLE_ROLES = [role for role in Role if role != Role.VIEWER]


@transaction.atomic
def set_roles(request: HttpRequest, *, user: User, roles: Iterable[str], by: User) -> bool:
    """Makes `user`'s roles exactly `roles`. Only a security admin, never on themselves.
    Raises ValidationError on a forbidden combination. Returns whether anything changed."""
    wanted = set(roles)
    if by.pk == user.pk:
        raise ValidationError(_("Nobody changes their own roles."), code="self_grant")
    unknown = wanted - set(GRANTABLE_ROLES)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    check_role_combination(wanted)
    current = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if wanted == current:
        return False
    removed, added = sorted(current - wanted), sorted(wanted - current)
    RoleGrant.objects.filter(user=user, role__in=removed).delete()
    try:
        with transaction.atomic():
            RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in added])
    except IntegrityError as exc:  # a concurrent grant slipped in: the database said no
        raise ValidationError(
            _("Someone else changed these roles in the meantime. Reload and try again."),
            code="conflict",
        ) from exc
    user.__dict__.pop("roles", None)
    record_event(
        request, action="auth.roles_change", obj=user, detail={"added": added, "removed": removed}
    )
    return True


# Addresses of pages under /accounts/users/ that an account named so would hide.
RESERVED_USERNAMES = frozenset({"new", "passwords"})
CREATE_SCOPE = "accounts.user_create"


@transaction.atomic
def create_account(
    request: HttpRequest | None,
    *,
    center: Center,
    username: str,
    full_name: str = "",
    unit: Unit | None = None,
    phone: str = "",
    roles: Iterable[str] = (),
    submission_key: str = "",
) -> tuple[User, str]:
    """The one way an account is made outside the organisation import: by the system admin's
    page (no roles: the security admin grants them) and by `manage.py create_account` (the
    first accounts, `request` None). Returns the account and its temporary password, to show
    once; it must be changed at first sign-in and is stored only as a hash.

    Raises ValidationError (in the reader's language) for a bad or taken username, a unit of
    another center or a forbidden role combination; AlreadySubmitted for a repeated submit."""
    username = username.strip()
    requested = set(roles)
    unknown = requested - set(GRANTABLE_ROLES)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    check_role_combination(requested)
    wanted = sorted(requested, key=ROLE_RANK.__getitem__)
    if username.casefold() in RESERVED_USERNAMES:
        raise ValidationError(
            _("“%(username)s” is the name of a page; choose another username.")
            % {"username": username},
            code="reserved",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is already taken."), code="unique")
    if unit is not None and unit.center_id != center.pk:
        raise ValidationError(_("Choose a unit of this center."), code="unit")
    temporary = make_temporary_password()
    user = User(
        username=username,
        center=center,
        unit=unit,
        full_name=full_name.strip(),
        phone=phone.strip(),
        must_change_password=True,
    )
    user.set_password(temporary)
    user.full_clean(validate_unique=False, validate_constraints=False)
    actor = getattr(request, "user", None)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same name, saved a moment ago by another request
        first = (
            existing_submission(user=actor, scope=CREATE_SCOPE, key=submission_key)
            if submission_key and actor is not None
            else None
        )
        if first is not None:
            raise AlreadySubmitted(first) from exc
        raise ValidationError(_("This username is already taken."), code="unique") from exc
    if submission_key and actor is not None:
        first = claim_submission(
            center=center,
            user=actor,
            scope=CREATE_SCOPE,
            key=submission_key,
            object_id=str(user.pk),
        )
        if first != str(user.pk):
            raise AlreadySubmitted(first)  # rolls this second account back
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in wanted])
    detail: dict[str, object] = {"roles": wanted}
    if request is None:
        detail["by"] = "command line"
    record_event(request, action="auth.account_create", obj=user, center=center, detail=detail)
    account_created.send(sender=User, user=user)
    return user, temporary


@transaction.atomic
def set_active(request: HttpRequest, *, user: User, active: bool, by: User) -> int:
    """Enables or disables an account. Disabling ends every session and stops API tokens at
    once (both check is_active). Returns the number of sessions ended."""
    if by.pk == user.pk and not active:
        raise ValidationError(_("You cannot disable your own account."), code="self_disable")
    if user.is_active == active:
        return 0
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    ended = 0 if active else end_sessions(user)
    record_event(
        request,
        action="auth.account_enable" if active else "auth.account_disable",
        obj=user,
        detail={"sessions_ended": ended},
    )
    return ended


# --- second factor ------------------------------------------------------------------------


def mfa_required(user: User) -> bool:
    return bool(settings.MFA_REQUIRED) and bool(user.roles & ADMIN_ROLES)


def confirmed_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def enrolment_device(user: User) -> TotpDevice:
    """The user's authenticator: the existing one, or a new secret to scan. It counts only
    once confirmed with a code."""
    device, _created = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.username, issuer_name=str(settings.MFA_ISSUER)
    )


def check_code(device: TotpDevice, code: str) -> bool:
    """Accepts the current code or its neighbours (clock drift), each at most once."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return False
    totp = pyotp.TOTP(device.secret)
    step = int(timezone.now().timestamp()) // totp.interval
    for candidate in (step - 1, step, step + 1):
        if candidate > device.last_step and secrets.compare_digest(
            totp.generate_otp(candidate), code
        ):
            # Conditional update: two requests with the same code cannot both win.
            used = TotpDevice.objects.filter(pk=device.pk, last_step__lt=candidate).update(
                last_step=candidate
            )
            device.last_step = candidate
            return used == 1
    return False


@transaction.atomic
def confirm_enrolment(request: HttpRequest, *, device: TotpDevice, code: str) -> bool:
    if not check_code(device, code):
        return False
    TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    record_event(request, action="auth.mfa_enrol", obj=device.user, actor=device.user)
    return True


@transaction.atomic
def remove_second_factor(request: HttpRequest, *, user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()
    record_event(request, action="auth.mfa_remove", obj=user)


# --- what an admin sees about an account --------------------------------------------------


@dataclass
class AccountStatus:
    recent_failures: int
    locked_until: datetime | None
    has_second_factor: bool
    sessions: int


def account_status(user: User) -> AccountStatus:
    """Failed sign-ins in the current lockout window and whether any lock holds (for the
    username anywhere, or for one of the addresses it was tried from)."""
    since = timezone.now() - timedelta(seconds=settings.LOCKOUT_SECONDS)
    failures = LoginFailure.objects.filter(username=_username_key(user.username), at__gte=since)
    ips = set(failures.values_list("ip", flat=True))
    locks = [locked_until(user.username, ip) for ip in ips]
    found = [until for until in locks if until is not None]
    return AccountStatus(
        recent_failures=failures.count(),
        locked_until=max(found) if found else None,
        has_second_factor=confirmed_device(user) is not None,
        sessions=UserSession.objects.filter(user=user).count(),
    )
