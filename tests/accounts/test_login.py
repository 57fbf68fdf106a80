"""Sign-in, its language cookie and its throttling (settings.LOGIN_MAX_FAILURES)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from marketdesk.accounts.models import LoginFailure, User
from marketdesk.core.models import AuditEntry
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
BAD_LOGIN = "The username or password is not correct."
LOCKED = "Too many failed attempts. Try again later."


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in_as(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id).username if user_id else None


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_success_redirects_and_sets_the_language_cookie(make_user):
    make_user("marketer", username="lin", language="zh-hans")
    client = Client()
    response = sign_in(client, "lin", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == "lin"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert cookie["samesite"] == "Lax"
    entry = AuditEntry.objects.filter(action="login").get()
    assert entry.actor.username == "lin"
    assert entry.message == "signed in from 127.0.0.1"


def test_success_without_a_saved_language_sets_no_cookie(make_user):
    make_user("marketer", username="ann")
    response = sign_in(Client(), "ann", PASSWORD)
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_success_follows_a_local_next_but_not_a_foreign_one(make_user):
    make_user("marketer", username="ann")
    assert sign_in(Client(), "ann", PASSWORD, next="/audit/")["Location"] == "/audit/"
    assert sign_in(Client(), "ann", PASSWORD, next="https://evil.example/")["Location"] == "/"
    assert sign_in(Client(), "ann", PASSWORD, next="//evil.example/")["Location"] == "/"


def test_wrong_password_is_400_with_the_error_shown(make_user):
    make_user("marketer", username="ann")
    client = Client()
    response = sign_in(client, "ann", "wrong-password")
    assert response.status_code == 400
    assert BAD_LOGIN in response.content.decode()
    assert signed_in_as(client) is None
    row = LoginFailure.objects.get()
    assert (row.username, row.ip_address, row.failures, row.locked_until) == (
        "ann", "127.0.0.1", 1, None)


def test_unknown_user_and_empty_fields_are_refused(db):
    assert sign_in(Client(), "nobody", "whatever").status_code == 400
    response = sign_in(Client(), "", "")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_inactive_user_cannot_sign_in(make_user):
    user = make_user("marketer", username="ann")
    user.is_active = False
    user.save()
    response = sign_in(Client(), "ann", PASSWORD)
    assert response.status_code == 400
    assert BAD_LOGIN in response.content.decode()


def test_lockout_after_max_failures_refuses_even_the_right_password(make_user, settings):
    assert settings.LOGIN_MAX_FAILURES == 5
    make_user("marketer", username="ann")
    client = Client()
    statuses = [sign_in(client, "ann", f"wrong-{i}").status_code for i in range(5)]
    # The fifth failure engages the lock and says so.
    assert statuses == [400, 400, 400, 400, 429]
    row = LoginFailure.objects.get()
    assert row.failures == 5
    assert row.locked_until is not None
    assert dt.timedelta(seconds=899) < row.locked_until - timezone.now() <= dt.timedelta(seconds=900)

    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert signed_in_as(client) is None
    # Refused attempts while locked do not extend the count.
    assert LoginFailure.objects.get().failures == 5
    assert AuditEntry.objects.filter(action="security", message__startswith="sign-in locked").count() == 1

    # The lock is per username and address: the same user elsewhere may still sign in.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, "ann", PASSWORD).status_code == 302


def test_the_lock_passes(make_user):
    make_user("marketer", username="ann")
    client = Client()
    for i in range(5):
        sign_in(client, "ann", f"wrong-{i}")
    assert sign_in(client, "ann", PASSWORD).status_code == 429
    past = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    LoginFailure.objects.update(locked_until=past, first_failed_at=past)
    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == "ann"
    assert LoginFailure.objects.count() == 0


def test_failures_older_than_the_window_start_a_new_count(make_user):
    make_user("marketer", username="ann")
    client = Client()
    for i in range(4):
        sign_in(client, "ann", f"wrong-{i}")
    past = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    LoginFailure.objects.update(first_failed_at=past)
    assert sign_in(client, "ann", "wrong-again").status_code == 400
    assert LoginFailure.objects.get().failures == 1


def test_username_case_does_not_dodge_the_count(make_user):
    make_user("marketer", username="ann")
    client = Client()
    for name in ["ann", "ANN", "Ann", "aNN"]:
        assert sign_in(client, name, "wrong").status_code == 400
    assert sign_in(client, "AnN", "wrong").status_code == 429
    assert LoginFailure.objects.get().failures == 5


def test_success_clears_the_failures(make_user):
    make_user("marketer", username="ann")
    client = Client()
    for i in range(4):
        sign_in(client, "ann", f"wrong-{i}")
    assert LoginFailure.objects.get().failures == 4
    assert sign_in(client, "ann", PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0
    fresh = Client()
    statuses = [sign_in(fresh, "ann", f"wrong-{i}").status_code for i in range(4)]
    assert statuses == [400, 400, 400, 400]


@pytest.mark.parametrize("max_failures", [1, 3])
def test_the_limit_comes_from_settings(max_failures, make_user, settings):
    settings.LOGIN_MAX_FAILURES = max_failures
    make_user("marketer", username="ann")
    client = Client()
    statuses = [sign_in(client, "ann", "wrong").status_code for _ in range(max_failures)]
    assert statuses == [400] * (max_failures - 1) + [429]


def test_logout_needs_post_and_ends_the_session(make_user, client_for):
    user = make_user("marketer", username="ann")
    client = client_for(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
