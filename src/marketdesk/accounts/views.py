from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketdesk.accounts import services
from marketdesk.accounts.forms import LanguageForm, LoginForm, PasswordForm, TokenForm


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _set_language_cookie(response, language):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    locked_until = None
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = _client_ip(request)
        locked_until = services.login_locked_until(username, ip)
        if locked_until is None and form.is_valid():
            user = form.user
            login(request, user)
            services.login_succeeded(user, ip)
            response = HttpResponseRedirect(_safe_next(request, settings.LOGIN_REDIRECT_URL and "/"))
            if user.language:
                _set_language_cookie(response, user.language)
            return response
        if locked_until is None:
            services.login_failed(username, ip)
            locked_until = services.login_locked_until(username, ip)
    status = 429 if locked_until else (400 if request.method == "POST" else 200)
    return render(request, "accounts/login.html", {"form": form, "locked_until": locked_until,
                                                   "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
def language_view(request):
    """Switch the interface language; a signed-in user's choice is also saved."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request))
    if form.is_valid():
        language = form.cleaned_data["language"]
        translation.activate(language)
        if request.user.is_authenticated:
            services.user_set_language(request.user, language=language)
        _set_language_cookie(response, language)
    return response


@login_required
def profile(request):
    password_form = PasswordForm(request.user)
    token_form = TokenForm()
    issued = None
    if request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordForm(request.user, request.POST)
        if password_form.is_valid():
            services.user_set_password(request.user, old_password=None,
                                       new_password=password_form.cleaned_data["new_password1"],
                                       by=request.user)
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    elif request.method == "POST" and request.POST.get("form") == "token":
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            issued = services.token_issue(request.user, name=token_form.cleaned_data["name"])
            token_form = TokenForm()
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/profile.html", {
        "password_form": password_form, "token_form": token_form, "tokens": tokens,
        "issued": issued,
    })


@login_required
@require_POST
def token_revoke(request, token_id: int):
    # A user manages only their own tokens: another user's token is a 404.
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    services.token_revoke(token, by=request.user)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:profile")
