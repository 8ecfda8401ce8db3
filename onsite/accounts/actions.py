"""The front door of every write of the accounts app: a `check_*` that raises one typed
refusal (`onsite.core.refusals`) and a `do_*` that writes, with its audit row (the services
keep the writes; these are the doors the page views and any API operation go through).

Account administration has pages only: the API serves business data, and the separation of
duties keeps the system admin, the security admin and the auditor out of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onsite.accounts import access, services, sso
from onsite.accounts.models import ApiToken, Role, TotpDevice, User, UserSession
from onsite.audit.models import Outcome
from onsite.audit.services import client_ip, record_event
from onsite.core.access import check_roles
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import Conflict, Invalid, NotAllowed, NotVisible

if TYPE_CHECKING:
    from onsite.org.models import Unit

STALE_ROLES = _(
    "Someone else changed these roles in the meantime. Nothing was saved; check them and try again."
)
MFA_KEPT = _("Your role requires two-step sign-in; it cannot be removed.")


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - signed in: the page's decorator saw to it
    return user


def get_account(request: HttpRequest, username: str) -> User:
    """An account of the caller's center; another center's is a 404."""
    return get_for_center(
        User.objects.select_related("unit", "center"),
        getattr(request, "center", None),
        username=username,
    )


# --- signing in -------------------------------------------------------------------------------


def lock_message() -> str:
    return gettext(
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minutes; try again "
        "later or ask your system admin to unlock the account."
    ) % {"minutes": settings.LOCKOUT_SECONDS // 60}


def check_sign_in(request: HttpRequest, username: str) -> None:
    """Signing in as `username` from this address is open; while a lockout holds, the attempt
    is recorded (`auth.login_locked`) and refused (Conflict `locked`). The same answer
    whether the username exists or not."""
    if services.locked_until(username, client_ip(request)):
        services.record_locked_attempt(request, username=username)
        raise Conflict(lock_message(), code="locked")


def needs_second_factor(user: User) -> bool:
    return services.mfa_required(user) or services.confirmed_device(user) is not None


def do_sign_in(
    request: HttpRequest,
    user: User,
    *,
    second_factor: bool = False,
    sso: dict[str, str] | None = None,
) -> None:
    services.complete_login(request, user, second_factor=second_factor, sso=sso)


def password_open(username: str) -> bool:
    """Whether this account may use an Onsite password at all: local passwords are on, or it
    is a break-glass account holding the system admin role."""
    return settings.LOCAL_PASSWORDS or (
        username in settings.BREAK_GLASS_USERNAMES
        and User.objects.filter(username=username, role_grants__role=Role.SYSADMIN).exists()
    )


def check_password_sign_in(request: HttpRequest, username: str) -> None:
    """Signing in with a password as `username` is open: local passwords are on, or this is a
    break-glass account holding the system admin role (Conflict `local_passwords_off`,
    audited), and no lockout holds (`check_sign_in`). Checked before the password is."""
    if not password_open(username):
        record_event(
            request,
            action="auth.login_failed",
            outcome=Outcome.DENIED,
            detail={"username": username, "reason": "local_passwords_off"},
        )
        raise Conflict(sso_only_message(), code="local_passwords_off")
    check_sign_in(request, username)


def sso_only_message() -> str:
    return gettext("Passwords are switched off here. Sign in with %(service)s.") % {
        "service": sso_label()
    }


def sso_label() -> str:
    return str(settings.SSO_LABEL or gettext("the unified identity service"))


def find_sso_person(request: HttpRequest, identity: sso.Identity) -> User:
    """The active account the identity service's value names (SSO_MATCH_FIELD); never made
    here, and never given roles: accounts and roles stay with the admins. Refusals are
    audited and counted like a wrong password (NotVisible `sso_unknown`, Conflict `locked`)."""
    field = settings.SSO_MATCH_FIELD
    user = (
        User.objects.filter(**{field: identity.value}, is_active=True)
        .select_related("center")
        .first()
    )
    username = user.username if user else identity.value
    check_sign_in(request, username)
    if user is None:
        services.register_failure(
            request, username=identity.value, reason=f"{identity.protocol}_unknown"
        )
        raise NotVisible(
            gettext(
                "The identity service signed you in as “%(who)s”, but no active Onsite account "
                "is linked to it. Ask your center's system admin to link your account."
            )
            % {"who": identity.value},
            code="sso_unknown",
        )
    return user


def record_sso_refusal(request: HttpRequest, refusal: sso.SsoError) -> None:
    record_event(
        request,
        action="auth.login_failed",
        outcome=Outcome.FAILURE,
        detail={"reason": f"{sso.protocol()}_{refusal.code}", "detail": refusal.detail},
    )


def do_register_failure(request: HttpRequest, *, username: str, reason: str) -> bool:
    """Counts a failed password or code (audited); True when it started a lockout."""
    return services.register_failure(request, username=username, reason=reason) is not None


# --- the system admin: accounts and temporary passwords -------------------------------------


def check_create_account(request: HttpRequest) -> Center:
    center: Center = check_roles(request, access.CREATORS, write=True)
    return center


def do_create_account(
    request: HttpRequest,
    *,
    center: Center,
    username: str,
    full_name: str,
    unit: Unit | None,
    phone: str,
    submission_key: str,
) -> tuple[User, str]:
    """Raises ValidationError for a bad or taken username, AlreadySubmitted for a repeat."""
    return services.create_account(
        request,
        center=center,
        username=username,
        full_name=full_name,
        unit=unit,
        phone=phone,
        submission_key=submission_key,
    )


def check_issue_passwords(request: HttpRequest, *, users: Sequence[User]) -> Center:
    """The selection must be someone the system admin may give a password in bulk, at most
    a sheet's worth (Invalid with the rule's code otherwise)."""
    center: Center = check_roles(request, access.CREATORS, write=True)
    try:
        services.check_password_batch(center, by=_me(request), users=users)
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from exc
    return center


def do_issue_passwords(
    request: HttpRequest, *, center: Center, users: Sequence[User], submission_key: str
) -> list[tuple[User, str]]:
    return services.issue_temporary_passwords(
        request, center=center, users=users, submission_key=submission_key
    )


def check_manage_account(request: HttpRequest, account: User) -> None:
    """Resetting a password or disabling an account: the security admin for holders of a
    duty, the system admin for everyone else, nobody for themselves."""
    check_roles(request, access.ACCOUNT_ADMINS, write=True)
    if not services.may_manage_account(_me(request), account):
        raise NotAllowed


def do_reset_password(request: HttpRequest, account: User) -> str:
    return services.reset_password(request, user=account)


def do_set_active(request: HttpRequest, account: User, *, active: bool) -> int:
    return services.set_active(request, user=account, active=active, by=_me(request))


def check_unlock(request: HttpRequest, account: User) -> None:
    check_roles(request, access.ACCOUNT_ADMINS, write=True)
    if account.pk == request.user.pk:
        raise NotAllowed


def do_unlock(request: HttpRequest, account: User) -> int:
    return services.unlock_user(request, user=account)


# --- the security admin: roles and second factors ---------------------------------------------


def check_set_roles(request: HttpRequest, account: User, *, based_on: str | None = None) -> None:
    """Only the security admin grants, never to themselves; `based_on` (the roles the form
    showed, comma-separated) must still be the account's roles (Conflict `stale`)."""
    check_roles(request, access.ACCOUNT_ADMINS, write=True)
    me = _me(request)
    if not me.has_role(*access.GRANTORS) or me.pk == account.pk:
        raise NotAllowed
    if based_on is not None and based_on != ",".join(sorted(account.roles)):
        raise Conflict(STALE_ROLES, code="stale")


def do_set_roles(request: HttpRequest, account: User, *, roles: Iterable[str]) -> bool:
    """Raises ValidationError on a forbidden combination; True when anything changed."""
    return services.set_roles(request, user=account, roles=roles, by=_me(request))


def check_reset_second_factor(request: HttpRequest, account: User) -> None:
    check_roles(request, access.GRANTORS, write=True)
    if account.pk == request.user.pk:
        raise NotAllowed


def do_reset_second_factor(request: HttpRequest, account: User) -> None:
    services.remove_second_factor(request, user=account)


# --- one's own account ------------------------------------------------------------------------


def do_change_password(request: HttpRequest, *, old: str, new: str) -> None:
    """The person's own change; raises ValidationError (`wrong_password`, or the policy's)
    and saves nothing then. This session stays signed in; every other one ends."""
    user = _me(request)
    services.change_password(request, user=user, old=old, new=new)
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    UserSession.objects.filter(session_key=old_key).update(
        session_key=request.session.session_key or ""
    )


def do_issue_token(request: HttpRequest, *, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the raw value is returned once and never stored."""
    token, raw = ApiToken.issue(user=_me(request), name=name)
    record_event(request, action="token.issue", obj=token)
    return token, raw


def check_revoke_token(request: HttpRequest, pk: int) -> ApiToken:
    """One's own live token; anyone else's (or a revoked one) is a 404."""
    token = ApiToken.objects.filter(pk=pk, user=_me(request), revoked_at__isnull=True).first()
    if token is None:
        raise NotVisible
    return token


def do_revoke_token(request: HttpRequest, token: ApiToken) -> None:
    token.revoke()
    record_event(request, action="token.revoke", obj=token)


def do_enrol_second_factor(request: HttpRequest, *, code: str) -> bool:
    """Confirms the pending authenticator with a code; False when the code is wrong."""
    user = _me(request)
    device: TotpDevice = services.enrolment_device(user)
    return services.confirm_enrolment(request, device=device, code=code)


def check_remove_second_factor(request: HttpRequest) -> TotpDevice | None:
    """One's own authenticator, unless the role requires one (Conflict `mfa_required`)."""
    user = _me(request)
    if services.mfa_required(user):
        raise Conflict(MFA_KEPT, code="mfa_required")
    return services.confirmed_device(user)


def do_remove_second_factor(request: HttpRequest, device: TotpDevice, *, code: str) -> bool:
    """Removes the authenticator when `code` is right; False otherwise."""
    if not services.check_code(device, code):
        return False
    services.remove_second_factor(request, user=device.user)
    return True


def do_logout(request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record_event(request, action="auth.logout", obj=request.user)
        if request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)
