from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from onsite.accounts.forms import ApiTokenForm, LoginForm
from onsite.accounts.models import ApiToken
from onsite.audit.models import Outcome
from onsite.audit.services import record_event
from onsite.core.types import OnsiteRequest


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            login(request, user)  # rotates the session key
            record_event(request, action="auth.login", obj=user, actor=user, center=user.center)
            return redirect(target)
        record_event(
            request,
            action="auth.login_failed",
            outcome=Outcome.FAILURE,
            detail={"username": request.POST.get("username", "")[:150]},
        )
    return render(request, "accounts/login.html", {"form": form, "next": target})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(request, action="auth.logout", obj=request.user)
    logout(request)
    return redirect("accounts:login")


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
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: OnsiteRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoke()
    record_event(request, action="token.revoke", obj=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
