from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from onsite.accounts import services
from onsite.accounts.forms import (
    AccountCreateForm,
    ApiTokenForm,
    CodeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordsFilterForm,
    PasswordsForm,
    RolesForm,
    UserSearchForm,
)
from onsite.accounts.models import (
    ROLE_RANK,
    ApiToken,
    LoginFailure,
    Role,
    RoleGrant,
    User,
    UserSession,
)
from onsite.accounts.slips import Slip, render_slips_pdf
from onsite.audit.services import client_ip, record_event
from onsite.core.access import role_required
from onsite.core.concurrency import existing_submission
from onsite.core.models import Center, get_for_center
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest

PENDING = "onsite_pending_login"
PENDING_SECONDS = 300
ACCOUNT_ADMINS = (Role.SYSADMIN, Role.SECADMIN)


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


def _lock_message() -> str:
    return _(
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minutes; try again "
        "later or ask your system admin to unlock the account."
    ) % {"minutes": settings.LOCKOUT_SECONDS // 60}


# --- signing in ---------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Same answers whether the username exists or not: the same error, the same lockout."""
    target = _safe_next(request)
    form = LoginForm(request, data=request.POST or None)
    context: dict[str, Any] = {"next": target, "notice": _logout_notice(request)}
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        if services.locked_until(username, client_ip(request)):
            services.record_locked_attempt(request, username=username)
            form = LoginForm(request, initial={"username": username})
            return render(
                request, "accounts/login.html", {**context, "form": form, "locked": _lock_message()}
            )
        if form.is_valid():
            user = form.get_user()
            if services.mfa_required(user) or services.confirmed_device(user):
                _start_pending(request, user, target)
                return redirect("accounts:login-verify")
            services.complete_login(request, user)
            return redirect(target)
        if services.register_failure(request, username=username, reason="password"):
            form = LoginForm(request, initial={"username": username})
            context["locked"] = _lock_message()
    return render(request, "accounts/login.html", {**context, "form": form})


def _logout_notice(request: HttpRequest) -> str:
    reason = request.session.pop(services.LOGOUT_REASON, "")
    if reason == "idle":
        return _("You were signed out after a period of inactivity. Please sign in again.")
    if reason == "absolute":
        return _("Your session reached its time limit. Please sign in again.")
    return ""


def _start_pending(request: HttpRequest, user: User, target: str) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "at": timezone.now().timestamp(), "next": target}


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    data = request.session.get(PENDING)
    if not data or timezone.now().timestamp() - data["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, "/"
    return User.objects.filter(pk=data["user"], is_active=True).first(), data["next"]


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """Second step: the code from the authenticator app."""
    user, target = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    device = services.confirmed_device(user)
    if device is None:
        return redirect("accounts:login-enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if services.locked_until(user.username, client_ip(request)):
            request.session.pop(PENDING, None)
            services.record_locked_attempt(request, username=user.username)
            messages.error(request, _lock_message())
            return redirect("accounts:login")
        if form.is_valid() and services.check_code(device, form.cleaned_data["code"]):
            request.session.pop(PENDING, None)
            services.complete_login(request, user, second_factor=True)
            return redirect(target)
        services.register_failure(request, username=user.username, reason="second_factor")
        form.add_error("code", _("This code is not correct. Enter the code shown now."))
    return render(request, "accounts/login_verify.html", {"form": form})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_enrol(request: HttpRequest) -> HttpResponse:
    """Admin and audit roles must set up a second factor before their first sign-in
    completes (when MFA_REQUIRED is on)."""
    user, target = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if services.confirmed_device(user):
        return redirect("accounts:login-verify")
    device = services.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and services.confirm_enrolment(
            request, device=device, code=form.cleaned_data["code"]
        ):
            request.session.pop(PENDING, None)
            services.complete_login(request, user, second_factor=True)
            messages.success(request, _("Two-step sign-in is set up."))
            return redirect(target)
        services.register_failure(request, username=user.username, reason="second_factor")
        form.add_error("code", _("This code is not correct. Enter the code shown now."))
    return render(request, "accounts/login_enrol.html", {"form": form, **_enrolment(device)})


def _enrolment(device: Any) -> dict[str, Any]:
    uri = services.provisioning_uri(device)
    secret = device.secret
    return {
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(request, action="auth.logout", obj=request.user)
        if request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)
    return redirect("accounts:login")


# --- own account --------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: OnsiteRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                request,
                user=user,
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            field = (
                "old_password" if exc.error_list[0].code == "wrong_password" else "new_password1"
            )
            form.add_error(field, exc)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, user)  # stay signed in here; other sessions end
            UserSession.objects.filter(session_key=old_key).update(
                session_key=request.session.session_key or ""
            )
            messages.success(request, _("Your password was changed."))
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": user.must_change_password,
            "expired": user.is_password_expired,
            "next": _safe_next(request),
        },
    )


@login_required
def profile(request: OnsiteRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        token, new_token = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        record_event(request, action="token.issue", obj=token)
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = ApiTokenForm()
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "has_second_factor": services.confirmed_device(request.user) is not None,
        },
    )


@login_required
@require_POST
def token_revoke(request: OnsiteRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoke()
    record_event(request, action="token.revoke", obj=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@sensitive_post_parameters("code")
@login_required
def two_factor(request: OnsiteRequest) -> HttpResponse:
    """Set up (or remove) the authenticator app for one's own account."""
    user = request.user
    device = services.confirmed_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            pending = services.enrolment_device(user)
            if services.confirm_enrolment(request, device=pending, code=code):
                messages.success(request, _("Two-step sign-in is set up."))
                return redirect("accounts:profile")
        elif services.mfa_required(user):
            messages.error(request, _("Your role requires two-step sign-in; it cannot be removed."))
            return redirect("accounts:two-factor")
        elif services.check_code(device, code):
            services.remove_second_factor(request, user=user)
            messages.success(request, _("Two-step sign-in is removed."))
            return redirect("accounts:profile")
        form.add_error("code", _("This code is not correct. Enter the code shown now."))
    context: dict[str, Any] = {"form": form, "device": device}
    if device is None:
        context.update(_enrolment(services.enrolment_device(user)))
    return render(request, "accounts/two_factor.html", context)


# --- account administration (system admin, security admin) --------------------------------


ACCOUNT_SORTS: SortKeys = {
    "username": "username",
    "name": "full_name",
    "status": ("is_active", "username"),
    "last_login": "last_login",
}


@role_required(*ACCOUNT_ADMINS, write=True)
def user_list(request: OnsiteRequest) -> HttpResponse:
    search = UserSearchForm(request.GET or None)
    users = (
        User.objects.filter(center=request.center)
        .select_related("unit")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .order_by("username")
    )
    if search.is_valid() and search.cleaned_data["q"]:
        term = search.cleaned_data["q"].strip()
        users = users.filter(Q(username__icontains=term) | Q(full_name__icontains=term))
    users, sort = sort_rows(users, request, keys=ACCOUNT_SORTS, default="username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    since = timezone.now() - timedelta(seconds=settings.LOCKOUT_SECONDS)
    troubled = set(
        LoginFailure.objects.filter(
            at__gte=since, username__in=[user.username.casefold() for user in page]
        )
        .values("username")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.LOCKOUT_FAILURES)
        .values_list("username", flat=True)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "sort": sort,
            "search": search,
            "troubled": troubled,
            "query": query.urlencode(),
            "may_create": request.user.has_role(Role.SYSADMIN),
        },
    )


def _center(request: OnsiteRequest) -> Center:
    """The request's center; role_required has already refused requests without one."""
    if request.center is None:
        raise Http404
    return request.center


def _first_submit(request: OnsiteRequest, scope: str) -> str | None:
    """What this form's first submit made, if this POST repeats it."""
    key = request.POST.get("submission_key", "")
    if request.method != "POST" or not key:
        return None
    return existing_submission(user=request.user, scope=scope, key=key)


@role_required(Role.SYSADMIN, write=True)
def user_create(request: OnsiteRequest) -> HttpResponse:
    """The system admin creates an account with a temporary password (shown once); the
    security admin then grants its roles on the account's page."""
    center = _center(request)
    if first := _first_submit(request, services.CREATE_SCOPE):
        return _already_created(request, first)
    form = AccountCreateForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, temporary = services.create_account(
                request,
                center=center,
                username=data["username"],
                full_name=data["full_name"],
                unit=data["unit"],
                phone=data["phone"],
                submission_key=data["submission_key"],
            )
        except services.AlreadySubmitted as exc:
            return _already_created(request, exc.object_id)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            response = render(
                request,
                "accounts/user_created.html",
                {"account": account, "temporary_password": temporary},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/user_create.html", {"form": form})


def _show_errors(form: Any, exc: ValidationError) -> None:
    """A refusal from the service, next to the field it is about when there is one."""
    if hasattr(exc, "error_dict"):
        for field, messages_ in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        return
    fields = {"unique": "username", "reserved": "username", "unit": "unit"}
    for error in exc.error_list:
        form.add_error(fields.get(str(error.code)), error.messages)


def _already_created(request: OnsiteRequest, user_id: str) -> HttpResponse:
    account = get_for_center(User.objects.all(), request.center, pk=user_id)
    messages.info(
        request,
        _(
            "This account was created by your first click; its temporary password was shown "
            "then. If nobody noted it, issue a new temporary password here."
        ),
    )
    return redirect("accounts:user-detail", username=account.username)


@role_required(Role.SYSADMIN, write=True)
def user_passwords(request: OnsiteRequest) -> HttpResponse:
    """Temporary passwords for many people at once (staff from the organisation import
    cannot sign in until they have one): pick, confirm, then a PDF of slips to print."""
    center = _center(request)
    filters = PasswordsFilterForm(request.GET, center=center)
    eligible = services.accounts_for_passwords(center, by=request.user).select_related("unit")
    if request.method != "POST":
        page = _passwords_listed(eligible, filters, request.GET.get("page"))
        waiting = [person.pk for person in page if person.awaits_first_password]
        form = PasswordsForm(
            initial={"accounts": waiting[: services.PASSWORD_BATCH]}, eligible=eligible
        )
        return _passwords_page(request, filters, form, page)
    confirmed = request.POST.get("confirmed") == "1"
    if confirmed and _first_submit(request, services.PASSWORDS_SCOPE):
        return _passwords_issued_before(request)
    form = PasswordsForm(request.POST, eligible=eligible)
    if form.is_valid():
        picked = sorted(
            form.cleaned_data["accounts"],
            key=lambda person: (person.unit.name if person.unit else "", person.username),
        )
        try:
            if not confirmed:
                services.check_password_batch(center, by=request.user, users=picked)
                context = {"picked": picked, "submission_key": uuid.uuid4().hex}
                return render(request, "accounts/user_passwords_confirm.html", context)
            issued = services.issue_temporary_passwords(
                request,
                center=center,
                users=picked,
                submission_key=form.cleaned_data["submission_key"],
            )
        except services.AlreadySubmitted:
            return _passwords_issued_before(request)
        except ValidationError as exc:
            form.add_error("accounts", exc)
        else:
            return _slips_response(request, center, issued)
    page = _passwords_listed(eligible, filters, request.GET.get("page"))
    return _passwords_page(request, filters, form, page, status=400)


def _passwords_listed(eligible: QuerySet[User], filters: PasswordsFilterForm, number: Any) -> Any:
    listed = eligible.order_by("unit__kind", "unit__position", "unit__code", "username")
    if filters.is_valid():
        if filters.cleaned_data["unit"] is not None:
            listed = listed.filter(unit=filters.cleaned_data["unit"])
        if filters.cleaned_data["show"] != PasswordsFilterForm.EVERYONE:
            listed = listed.filter(services.awaits_first_password())
    return Paginator(listed, 100).get_page(number)


def _passwords_page(
    request: OnsiteRequest,
    filters: PasswordsFilterForm,
    form: PasswordsForm,
    page: Any,
    *,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "form": form,
        "page": page,
        "selected": {str(value) for value in (form["accounts"].value() or [])},
        "limit": services.PASSWORD_BATCH,
        "query": query.urlencode(),
    }
    return render(request, "accounts/user_passwords.html", context, status=status)


def _slips_response(
    request: OnsiteRequest, center: Center, issued: list[tuple[User, str]]
) -> HttpResponse:
    """The PDF is the answer to the POST and nothing keeps it: the passwords exist only on
    the paper (and in the browser's download until it is printed)."""
    pdf = render_slips_pdf(
        center=center,
        slips=[Slip(account=account, password=password) for account, password in issued],
        sign_in_url=request.build_absolute_uri(reverse("accounts:login")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="sign-in-slips-{stamp}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _passwords_issued_before(request: OnsiteRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "These passwords were already issued by your first click; the PDF came with that "
            "answer. If you do not have it, select the people again and issue new ones."
        ),
    )
    return redirect("accounts:user-passwords")


def _account(request: OnsiteRequest, username: str) -> User:
    return get_for_center(
        User.objects.select_related("unit", "center"), request.center, username=username
    )


@role_required(*ACCOUNT_ADMINS, write=True)
def user_detail(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    roles_form = RolesForm(
        initial={"roles": sorted(account.roles), "based_on": ",".join(sorted(account.roles))}
    )
    return render(
        request, "accounts/user_detail.html", _detail_context(request, account, roles_form)
    )


def _detail_context(request: OnsiteRequest, account: User, roles_form: RolesForm) -> dict[str, Any]:
    me = request.user
    return {
        "account": account,
        "status": services.account_status(account),
        "roles_form": roles_form,
        "may_manage": services.may_manage_account(me, account),
        "may_grant": me.has_role(Role.SECADMIN) and me.pk != account.pk,
        "role_labels": [
            Role(role).label for role in sorted(account.roles, key=ROLE_RANK.__getitem__)
        ],
    }


@role_required(*ACCOUNT_ADMINS, write=True)
@require_POST
def user_roles(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    form = RolesForm(request.POST)
    if not request.user.has_role(Role.SECADMIN) or request.user.pk == account.pk:
        return _denied(request, "roles")
    if form.is_valid():
        if form.cleaned_data["based_on"] != ",".join(sorted(account.roles)):
            messages.error(
                request,
                _(
                    "Someone else changed these roles in the meantime. Nothing was saved; check them and try again."
                ),
            )
            return redirect("accounts:user-detail", username=account.username)
        try:
            changed = services.set_roles(
                request, user=account, roles=form.cleaned_data["roles"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("roles", exc)
        else:
            if changed:
                messages.success(request, _("Roles saved."))
            return redirect("accounts:user-detail", username=account.username)
    return render(
        request, "accounts/user_detail.html", _detail_context(request, account, form), status=400
    )


@role_required(*ACCOUNT_ADMINS, write=True)
@require_POST
def user_password_reset(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    if not services.may_manage_account(request.user, account):
        return _denied(request, "password_reset")
    temporary = services.reset_password(request, user=account)
    context = _detail_context(
        request,
        account,
        RolesForm(
            initial={"roles": sorted(account.roles), "based_on": ",".join(sorted(account.roles))}
        ),
    )
    response = render(
        request, "accounts/user_detail.html", {**context, "temporary_password": temporary}
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(*ACCOUNT_ADMINS, write=True)
@require_POST
def user_active(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    if not services.may_manage_account(request.user, account):
        return _denied(request, "active")
    active = request.POST.get("active") == "1"
    services.set_active(request, user=account, active=active, by=request.user)
    messages.success(
        request,
        _("The account is enabled.")
        if active
        else _("The account is disabled and signed out everywhere."),
    )
    return redirect("accounts:user-detail", username=account.username)


@role_required(*ACCOUNT_ADMINS, write=True)
@require_POST
def user_unlock(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    if account.pk == request.user.pk:
        return _denied(request, "unlock")
    services.unlock_user(request, user=account)
    messages.success(request, _("Failed sign-ins cleared: the account can sign in again."))
    return redirect("accounts:user-detail", username=account.username)


@role_required(Role.SECADMIN, write=True)
@require_POST
def user_two_factor_reset(request: OnsiteRequest, username: str) -> HttpResponse:
    account = _account(request, username)
    if account.pk == request.user.pk:
        return _denied(request, "mfa_remove")
    services.remove_second_factor(request, user=account)
    messages.success(
        request, _("The authenticator was removed; the user sets up a new one at next sign-in.")
    )
    return redirect("accounts:user-detail", username=account.username)


def _denied(request: OnsiteRequest, what: str) -> HttpResponse:
    from onsite.audit.models import Outcome

    record_event(
        request,
        action="access.denied",
        outcome=Outcome.DENIED,
        detail={"path": request.path[:200], "method": request.method, "what": what},
    )
    return render(request, "403.html", status=403)
