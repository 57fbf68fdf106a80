"""Writes on users, teams and tokens; sign-in throttling."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import ApiToken, LoginFailure, Membership, Team, User
from marketdesk.core import audit
from marketdesk.core import services as core_services


def team_create(*, name: str, slug: str, time_zone: str | None = None, by=None) -> Team:
    fields = {"name": name, "slug": slug}
    if time_zone:
        fields["time_zone"] = time_zone
    return core_services.create(Team, by=by, **fields)


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    teams: list[Team] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    by=None,
) -> User:
    with transaction.atomic():
        user = User(
            username=username, email=email, role=role, first_name=first_name,
            last_name=last_name, language=language,
            is_staff=role == "admin", is_superuser=role == "admin",
        )
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        for team in teams:
            Membership.objects.create(user=user, team=team)
        after = audit.snapshot(user)
        after.pop("password", None)
        audit.record("create", user, actor=by, changes={"after": after})
    return user


def user_set_password(user: User, *, old_password: str | None, new_password: str, by) -> None:
    from django.core.exceptions import ValidationError

    if old_password is not None and not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not correct.")})
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record("security", user, actor=by, message="password changed")


def user_set_language(user: User, *, language: str) -> User:
    return core_services.update(user, by=user, language=language)


# --- API tokens ---------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def token_issue(user: User, *, name: str) -> IssuedToken:
    secret = "md_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=user, name=name, prefix=secret[3 : 3 + ApiToken.PREFIX_LENGTH],
            digest=ApiToken.hash(secret),
        )
        token.full_clean()
        token.save()
        audit.record("security", token, actor=user, message=f"API token issued: {name}")
    return IssuedToken(token=token, secret=secret)


def token_revoke(token: ApiToken, *, by) -> ApiToken:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db()
        audit.record("security", token, actor=by, message=f"API token revoked: {token.name}")
    return token


def token_authenticate(secret: str) -> User | None:
    if not secret or not secret.startswith("md_"):
        return None
    try:
        token = ApiToken.objects.select_related("user").get(
            digest=ApiToken.hash(secret), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- sign-in throttling ---------------------------------------------------------------

def login_locked_until(username: str, ip: str) -> dt.datetime | None:
    row = LoginFailure.objects.filter(username=username.lower(), ip_address=ip).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


def login_failed(username: str, ip: str) -> None:
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    with transaction.atomic():
        row, created = LoginFailure.objects.select_for_update().get_or_create(
            username=username.lower(), ip_address=ip,
            defaults={"failures": 0, "first_failed_at": now},
        )
        if not created and now - row.first_failed_at > window:
            row.failures = 0
            row.first_failed_at = now
            row.locked_until = None
            row.save()
        LoginFailure.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
        row.refresh_from_db()
        if row.failures >= settings.LOGIN_MAX_FAILURES:
            row.locked_until = now + window
            row.save(update_fields=["locked_until"])
            audit.record("security", None, message=f"sign-in locked for {username} from {ip}")


def login_succeeded(user: User, ip: str) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower(), ip_address=ip).delete()
    audit.record("login", user, actor=user, message=f"signed in from {ip}")
