from __future__ import annotations

import uuid
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from onsite.accounts import access, actions, queries, services, sso
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
    Role,
    User,
)
from onsite.accounts.slips import Slip, render_slips_pdf
from onsite.core.access import answers_refusals, public, role_required
from onsite.core.concurrency import existing_submission
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import Conflict, Invalid, NotVisible
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest

PENDING = "onsite_pending_login"
PENDING_SECONDS = 300


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


# --- signing in ---------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Same answers whether the username exists or not: the same error, the same lockout."""
    target = _safe_next(request)
    form = LoginForm(request, data=request.POST or None)
    context = _login_context(request, target)
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        try:
            actions.check_password_sign_in(request, username)
        except Conflict as refusal:
            form = LoginForm(request, initial={"username": username})
            context["locked"] = str(refusal.message)
            return render(request, "accounts/login.html", {**context, "form": form})
        if form.is_valid():
            user = form.get_user()
            if actions.needs_second_factor(user):
                _start_pending(request, user, target)
                return redirect("accounts:login-verify")
            actions.do_sign_in(request, user)
            return redirect(target)
        if actions.do_register_failure(request, username=username, reason="password"):
            form = LoginForm(request, initial={"username": username})
            context["locked"] = actions.lock_message()
    return render(request, "accounts/login.html", {**context, "form": form})


def _login_context(request: HttpRequest, target: str) -> dict[str, Any]:
    return {
        "next": target,
        "notice": _logout_notice(request),
        "sso": sso.enabled(),
        "sso_label": actions.sso_label(),
        "local_passwords": settings.LOCAL_PASSWORDS,
    }


def _logout_notice(request: HttpRequest) -> str:
    reason = request.session.pop(services.LOGOUT_REASON, "")
    if reason == "idle":
        return _("You were signed out after a period of inactivity. Please sign in again.")
    if reason == "absolute":
        return _("Your session reached its time limit. Please sign in again.")
    return ""


def _start_pending(
    request: HttpRequest, user: User, target: str, sso_state: dict[str, str] | None = None
) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "at": timezone.now().timestamp(),
        "next": target,
        "sso": sso_state,
    }


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    data = request.session.get(PENDING)
    if not data or timezone.now().timestamp() - data["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, "/"
    return User.objects.filter(pk=data["user"], is_active=True).first(), data["next"]


def _pending_sso(request: HttpRequest) -> dict[str, str] | None:
    """How the person waiting for their second factor signed in at the identity service."""
    data = request.session.get(PENDING) or {}
    found: dict[str, str] | None = data.get("sso")
    return found


# --- single sign-on ---------------------------------------------------------------------------


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:sso-callback"))


@public
@never_cache
def sso_start(request: HttpRequest) -> HttpResponse:
    """Sends the browser to the unified identity service (404 while single sign-on is off)."""
    if not sso.enabled():
        raise Http404
    request.session[sso.NEXT_KEY] = _safe_next(request)
    try:
        return sso.start(request, _callback_url(request))
    except sso.SsoError as refusal:
        actions.record_sso_refusal(request, refusal)
        messages.error(request, _sso_refusal_message(refusal))
        return redirect("accounts:login")


@public
@csrf_exempt  # the identity service posts CAS single-logout requests here, server to server
@never_cache
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Where the identity service sends the person back (GET), and where a CAS server posts
    its single-logout request (POST, `logoutRequest`)."""
    if not sso.enabled():
        raise Http404
    if request.method == "POST":
        return _cas_single_logout(request)
    target = request.session.pop(sso.NEXT_KEY, "/")
    try:
        identity = sso.finish(request, _callback_url(request))
    except sso.SsoError as refusal:
        actions.record_sso_refusal(request, refusal)
        messages.error(request, _sso_refusal_message(refusal))
        return redirect("accounts:login")
    try:
        user = actions.find_sso_person(request, identity)
    except (NotVisible, Conflict) as refusal:
        messages.error(request, str(refusal.message))
        return redirect("accounts:login")
    state = {"protocol": identity.protocol, **identity.logout}
    if actions.needs_second_factor(user):
        _start_pending(request, user, target, state)
        return redirect("accounts:login-verify")
    actions.do_sign_in(request, user, sso=state)
    return redirect(target)


def _cas_single_logout(request: HttpRequest) -> HttpResponse:
    """The CAS server's logout request: the session signed in with that ticket ends."""
    if not sso.from_cas_server(request.META.get("REMOTE_ADDR", "")):
        return HttpResponse(status=403)
    ticket = sso.cas_logout_ticket(request.POST.get("logoutRequest", "")[:10_000])
    if sso.protocol() != sso.CAS or ticket is None:
        return HttpResponse(status=400)
    services.end_sso_session(ticket)
    return HttpResponse("ok", content_type="text/plain")


def _sso_refusal_message(refusal: sso.SsoError) -> str:
    service = actions.sso_label()
    if refusal.code == "unreachable":
        return _("%(service)s cannot be reached just now. Try again in a few minutes.") % {
            "service": service
        }
    if refusal.code == "no_value":
        return _(
            "%(service)s did not say who you are (no %(claim)s). Ask your center's system "
            "admin to check the single sign-on settings."
        ) % {"service": service, "claim": refusal.detail or "?"}
    return _(
        "Signing in through %(service)s did not complete (the answer was expired, repeated "
        "or not for this sign-in). Please start again."
    ) % {"service": service}


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
        try:
            actions.check_sign_in(request, user.username)
        except Conflict as refusal:
            request.session.pop(PENDING, None)
            messages.error(request, str(refusal.message))
            return redirect("accounts:login")
        if form.is_valid() and services.check_code(device, form.cleaned_data["code"]):
            state = _pending_sso(request)
            request.session.pop(PENDING, None)
            actions.do_sign_in(request, user, second_factor=True, sso=state)
            return redirect(target)
        actions.do_register_failure(request, username=user.username, reason="second_factor")
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
            state = _pending_sso(request)
            request.session.pop(PENDING, None)
            actions.do_sign_in(request, user, second_factor=True, sso=state)
            messages.success(request, _("Two-step sign-in is set up."))
            return redirect(target)
        actions.do_register_failure(request, username=user.username, reason="second_factor")
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
    """Signs out; a person who came through single sign-on is then sent to the identity
    service to sign out there too (single logout), which sends them back to sign-in."""
    state = request.session.get(services.SSO_SESSION)
    actions.do_logout(request)
    elsewhere = None
    if state:
        login_url = request.build_absolute_uri(reverse("accounts:login"))
        elsewhere = sso.logout_url(state, login_url)
    if elsewhere:
        # A page that moves on by itself, not a redirect: a redirect would still belong to the
        # sign-out form's submission, which the page's form-action policy keeps on this site.
        response = render(
            request,
            "accounts/signed_out.html",
            {"elsewhere": elsewhere, "service": actions.sso_label()},
        )
    else:
        response = redirect("accounts:login")
    # A shared phone keeps nothing of the person who signed out: the browser drops its cache,
    # the pages kept for offline use and what waited to be sent (the button asked first).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


# --- own account --------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: OnsiteRequest) -> HttpResponse:
    user = request.user
    if not actions.password_open(user.username):  # passwords off: the identity service's
        raise Http404
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_password(
                request,
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            wrong = exc.error_list[0].code == "wrong_password"
            form.add_error("old_password" if wrong else "new_password1", exc)
        else:
            messages.success(request, _("Your password was changed."))
            return redirect(_safe_next(request))
    context = {
        "form": form,
        "forced": user.must_change_password,
        "expired": user.is_password_expired,
        "next": _safe_next(request),
    }
    return render(request, "accounts/password_change.html", context)


@login_required
def profile(request: OnsiteRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.do_issue_token(request, name=form.cleaned_data["name"])
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
            "password_open": actions.password_open(request.user.username),
            "sso_label": actions.sso_label(),
        },
    )


@login_required
@require_POST
@answers_refusals
def token_revoke(request: OnsiteRequest, pk: int) -> HttpResponse:
    token = actions.check_revoke_token(request, pk)
    actions.do_revoke_token(request, token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@sensitive_post_parameters("code")
@login_required
def two_factor(request: OnsiteRequest) -> HttpResponse:
    """Set up (or remove) the authenticator app for one's own account."""
    device = services.confirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None and actions.do_enrol_second_factor(request, code=code):
            messages.success(request, _("Two-step sign-in is set up."))
            return redirect("accounts:profile")
        if device is not None:
            try:
                actions.check_remove_second_factor(request)
            except Conflict as refusal:
                messages.error(request, str(refusal.message))
                return redirect("accounts:two-factor")
            if actions.do_remove_second_factor(request, device, code=code):
                messages.success(request, _("Two-step sign-in is removed."))
                return redirect("accounts:profile")
        form.add_error("code", _("This code is not correct. Enter the code shown now."))
    context: dict[str, Any] = {"form": form, "device": device}
    if device is None:
        context.update(_enrolment(services.enrolment_device(request.user)))
    return render(request, "accounts/two_factor.html", context)


# --- account administration (system admin, security admin) --------------------------------


ACCOUNT_SORTS: SortKeys = {
    "username": "username",
    "name": "full_name",
    "status": ("is_active", "username"),
    "last_login": "last_login",
}


@role_required(*access.ACCOUNT_ADMINS, write=True)
def user_list(request: OnsiteRequest) -> HttpResponse:
    search = UserSearchForm(request.GET or None)
    term = (search.cleaned_data["q"] or "") if search.is_valid() else ""
    users = queries.accounts_of(request.center, term=term)
    users, sort = sort_rows(users, request, keys=ACCOUNT_SORTS, default="username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "sort": sort,
            "search": search,
            "troubled": queries.locked_out(page),
            "query": query.urlencode(),
            "may_create": request.user.has_role(*access.CREATORS),
        },
    )


def _first_submit(request: OnsiteRequest, scope: str) -> str | None:
    """What this form's first submit made, if this POST repeats it."""
    key = request.POST.get("submission_key", "")
    if request.method != "POST" or not key:
        return None
    return existing_submission(user=request.user, scope=scope, key=key)


@role_required(*access.CREATORS, write=True)
@answers_refusals
def user_create(request: OnsiteRequest) -> HttpResponse:
    """The system admin creates an account with a temporary password (shown once); the
    security admin then grants its roles on the account's page."""
    center = actions.check_create_account(request)
    if first := _first_submit(request, services.CREATE_SCOPE):
        return _already_created(request, first)
    form = AccountCreateForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        fields = ("username", "full_name", "unit", "phone", "submission_key")
        try:
            account, temporary = actions.do_create_account(
                request, center=center, **{name: form.cleaned_data[name] for name in fields}
            )
        except services.AlreadySubmitted as exc:
            return _already_created(request, exc.object_id)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            context = {"account": account, "temporary_password": temporary}
            response = render(request, "accounts/user_created.html", context)
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


@role_required(*access.CREATORS, write=True)
def user_passwords(request: OnsiteRequest) -> HttpResponse:
    """Temporary passwords for many people at once (staff from the organisation import
    cannot sign in until they have one): pick, confirm, then a PDF of slips to print."""
    center = request.center
    assert center is not None  # noqa: S101 - role_required refuses requests without one
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
    if form.is_valid() and (answer := _passwords_picked(request, form, confirmed=confirmed)):
        return answer
    page = _passwords_listed(eligible, filters, request.GET.get("page"))
    return _passwords_page(request, filters, form, page, status=400)


def _passwords_picked(
    request: OnsiteRequest, form: PasswordsForm, *, confirmed: bool
) -> HttpResponse | None:
    """The confirmation page, or once confirmed the slips; None when the pick is refused
    (the form then says why)."""
    picked = sorted(
        form.cleaned_data["accounts"],
        key=lambda person: (person.unit.name if person.unit else "", person.username),
    )
    try:
        center = actions.check_issue_passwords(request, users=picked)
        if not confirmed:
            context = {"picked": picked, "submission_key": uuid.uuid4().hex}
            return render(request, "accounts/user_passwords_confirm.html", context)
        issued = actions.do_issue_passwords(
            request, center=center, users=picked, submission_key=form.cleaned_data["submission_key"]
        )
    except services.AlreadySubmitted:
        return _passwords_issued_before(request)
    except Invalid as refusal:
        form.add_error("accounts", str(refusal.message))
        return None
    return _slips_response(request, center, issued)


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


@role_required(*access.ACCOUNT_ADMINS, write=True)
def user_detail(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    return render(
        request,
        "accounts/user_detail.html",
        _detail_context(request, account, _roles_form(account)),
    )


def _roles_form(account: User) -> RolesForm:
    roles = sorted(account.roles)
    return RolesForm(initial={"roles": roles, "based_on": ",".join(roles)})


def _detail_context(request: OnsiteRequest, account: User, roles_form: RolesForm) -> dict[str, Any]:
    me = request.user
    return {
        "account": account,
        "status": services.account_status(account),
        "roles_form": roles_form,
        "may_manage": services.may_manage_account(me, account),
        "may_grant": me.has_role(*access.GRANTORS) and me.pk != account.pk,
        "role_labels": [
            Role(role).label for role in sorted(account.roles, key=ROLE_RANK.__getitem__)
        ],
    }


@role_required(*access.ACCOUNT_ADMINS, write=True)
@require_POST
@answers_refusals
def user_roles(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    actions.check_set_roles(request, account)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            actions.check_set_roles(request, account, based_on=form.cleaned_data["based_on"])
            changed = actions.do_set_roles(request, account, roles=form.cleaned_data["roles"])
        except Conflict as refusal:
            messages.error(request, str(refusal.message))
            return redirect("accounts:user-detail", username=account.username)
        except ValidationError as exc:
            form.add_error("roles", exc)
        else:
            if changed:
                messages.success(request, _("Roles saved."))
            return redirect("accounts:user-detail", username=account.username)
    context = _detail_context(request, account, form)
    return render(request, "accounts/user_detail.html", context, status=400)


@role_required(*access.ACCOUNT_ADMINS, write=True)
@require_POST
@answers_refusals
def user_password_reset(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    actions.check_manage_account(request, account)
    temporary = actions.do_reset_password(request, account)
    context = _detail_context(request, account, _roles_form(account))
    response = render(
        request, "accounts/user_detail.html", {**context, "temporary_password": temporary}
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(*access.ACCOUNT_ADMINS, write=True)
@require_POST
@answers_refusals
def user_active(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    actions.check_manage_account(request, account)
    active = request.POST.get("active") == "1"
    actions.do_set_active(request, account, active=active)
    messages.success(
        request,
        _("The account is enabled.")
        if active
        else _("The account is disabled and signed out everywhere."),
    )
    return redirect("accounts:user-detail", username=account.username)


@role_required(*access.ACCOUNT_ADMINS, write=True)
@require_POST
@answers_refusals
def user_unlock(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    actions.check_unlock(request, account)
    actions.do_unlock(request, account)
    messages.success(request, _("Failed sign-ins cleared: the account can sign in again."))
    return redirect("accounts:user-detail", username=account.username)


@role_required(*access.GRANTORS, write=True)
@require_POST
@answers_refusals
def user_two_factor_reset(request: OnsiteRequest, username: str) -> HttpResponse:
    account = actions.get_account(request, username)
    actions.check_reset_second_factor(request, account)
    actions.do_reset_second_factor(request, account)
    messages.success(
        request, _("The authenticator was removed; the user sets up a new one at next sign-in.")
    )
    return redirect("accounts:user-detail", username=account.username)
