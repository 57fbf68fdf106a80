"""Personal API tokens: issued on the profile page, shown once, stored as a digest."""

import datetime as dt
import hashlib
import re
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from marketdesk.accounts import services
from marketdesk.accounts.models import ApiToken
from marketdesk.core.models import AuditEntry

SECRET = re.compile(r'<code class="user-select-all" id="new-token">(md_[A-Za-z0-9_-]+)</code>')


@pytest.fixture
def ann(make_user):
    return make_user("marketer", username="ann")


def issue_on_profile(client, name="weekly export"):
    response = client.post("/accounts/profile/", {"form": "token", "name": name})
    assert response.status_code == 200
    return response, SECRET.search(response.content.decode())


def bearer(secret):
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_issue_shows_the_secret_once_and_stores_only_its_digest(ann, client_for):
    client = client_for(ann)
    response, match = issue_on_profile(client)
    secret = match.group(1)
    assert len(secret) == 3 + 43  # "md_" + 32 random bytes in url-safe base64
    token = ApiToken.objects.get()
    assert token.user == ann
    assert token.name == "weekly export"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[3:11]
    assert token.last_used_at is None
    assert token.revoked_at is None
    # The secret is nowhere in the database: not in the token row, not in the log.
    stored = repr(list(ApiToken.objects.values())) + repr(list(AuditEntry.objects.values()))
    assert secret not in stored
    assert secret[3:] not in stored
    entry = AuditEntry.objects.get(action="security", message="API token issued: weekly export")
    assert entry.actor == ann
    # Shown once: the next page lists the token but not the secret.
    page = client.get("/accounts/profile/").content.decode()
    assert SECRET.search(page) is None
    assert secret not in page
    assert f"<code>{token.prefix}…</code>" in page


def test_token_name_is_required(ann, client_for):
    response, match = issue_on_profile(client_for(ann), name="")
    assert match is None
    assert "This field is required." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_token_works_as_bearer_and_records_its_last_use(ann, team_a):
    issued = services.token_issue(ann, name="script")
    first = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=first):
        response = bearer(issued.secret).get("/api/v1/strategy/products")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "page": 1, "page_size": 50, "items": []}
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first
    # Within a minute the use is not written again; after it, it is.
    with mock.patch("django.utils.timezone.now", return_value=first + dt.timedelta(seconds=30)):
        bearer(issued.secret).get("/api/v1/strategy/products")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first
    later = first + dt.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        bearer(issued.secret).get("/api/v1/strategy/products")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == later


@pytest.mark.parametrize("header", [
    "Bearer md_wrong", "Bearer ", "Token {secret}", "Bearer {secret}x", "bearer-{secret}",
])
def test_bad_authorization_headers_are_401(header, ann):
    issued = services.token_issue(ann, name="script")
    client = Client(headers={"Authorization": header.format(secret=issued.secret)})
    assert client.get("/api/v1/strategy/products").status_code == 401


def test_revoked_token_is_401(ann, client_for):
    issued = services.token_issue(ann, name="script")
    assert bearer(issued.secret).get("/api/v1/strategy/products").status_code == 200
    response = client_for(ann).post(f"/accounts/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert bearer(issued.secret).get("/api/v1/strategy/products").status_code == 401
    entry = AuditEntry.objects.get(message="API token revoked: script")
    assert (entry.action, entry.actor) == ("security", ann)


def test_revoke_needs_post(ann, client_for):
    issued = services.token_issue(ann, name="script")
    assert client_for(ann).get(f"/accounts/tokens/{issued.token.pk}/revoke/").status_code == 405
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_a_user_cannot_revoke_another_users_token(ann, make_user, client_for):
    bob = make_user("director", username="bob")
    issued = services.token_issue(ann, name="script")
    response = client_for(bob).post(f"/accounts/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert bearer(issued.secret).get("/api/v1/strategy/products").status_code == 200


def test_revoking_twice_keeps_the_first_time(ann):
    issued = services.token_issue(ann, name="script")
    services.token_revoke(issued.token, by=ann)
    first = ApiToken.objects.get().revoked_at
    services.token_revoke(issued.token, by=ann)
    assert ApiToken.objects.get().revoked_at == first


def test_profile_lists_tokens_with_their_last_use_in_the_users_zone(ann, client_for):
    used = services.token_issue(ann, name="used script")
    services.token_issue(ann, name="idle script")
    revoked = services.token_issue(ann, name="old script")
    services.token_revoke(revoked.token, by=ann)
    ApiToken.objects.filter(pk=used.token.pk).update(
        last_used_at=dt.datetime(2026, 5, 4, 8, 30, tzinfo=dt.UTC))
    html = client_for(ann).get("/accounts/profile/").content.decode()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td><td><code>.*?</code></td><td>.*?</td><td>(.*?)</td>"
                      r"\s*<td>(.*?)</td>", html, re.S)
    table = {name: (last_use, "revoked" if "revoked" in status else "active")
             for name, last_use, status in rows}
    assert table == {
        "used script": ("2026-05-04 16:30", "active"),  # Asia/Shanghai, team A's zone
        "idle script": ("never", "active"),
        "old script": ("never", "revoked"),
    }
    assert timezone.get_current_timezone_name() == "UTC"  # the request's zone did not leak
