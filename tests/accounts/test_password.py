"""Changing one's password on the profile page."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from marketdesk.accounts import services
from marketdesk.core.models import AuditEntry
from tests.conftest import PASSWORD

NEW = "Purple-tiger-2026!"


def change(client, old, new1, new2=None):
    return client.post("/accounts/profile/", {
        "form": "password", "old_password": old, "new_password1": new1,
        "new_password2": new1 if new2 is None else new2,
    })


def can_sign_in(username, password):
    return Client().post("/accounts/login/", {"username": username,
                                              "password": password}).status_code == 302


@pytest.fixture
def ann(make_user):
    return make_user("marketer", username="ann")


def test_wrong_old_password_is_refused(ann, client_for):
    response = change(client_for(ann), "not-my-password", NEW)
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert can_sign_in("ann", PASSWORD)
    assert not AuditEntry.objects.filter(action="security", message="password changed").exists()


@pytest.mark.parametrize(("new", "message"), [
    ("short1!", "This password is too short. It must contain at least 8 characters."),
    ("password", "This password is too common."),
    ("8471920365", "This password is entirely numeric."),
])
def test_weak_new_password_is_refused(new, message, ann, client_for):
    response = change(client_for(ann), PASSWORD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert can_sign_in("ann", PASSWORD)
    assert not can_sign_in("ann", new)


def test_mismatched_confirmation_is_refused(ann, client_for):
    response = change(client_for(ann), PASSWORD, NEW, NEW + "x")
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert can_sign_in("ann", PASSWORD)


def test_success_changes_the_password_keeps_the_session_and_is_audited(ann, client_for):
    client = client_for(ann)
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    # The session survives the change (update_session_auth_hash).
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert "Your password has been changed." in page.content.decode()
    assert can_sign_in("ann", NEW)
    assert not can_sign_in("ann", PASSWORD)
    entry = AuditEntry.objects.get(action="security", message="password changed")
    assert entry.actor == ann
    assert entry.object_id == str(ann.pk)
    assert entry.changes == {}  # never the hash
    assert entry.request_id != ""


def test_service_checks_the_old_password_and_strength(ann):
    with pytest.raises(ValidationError) as info:
        services.user_set_password(ann, old_password="nope", new_password=NEW, by=ann)
    assert info.value.message_dict == {"old_password": ["Your current password is not correct."]}
    with pytest.raises(ValidationError) as info:
        services.user_set_password(ann, old_password=PASSWORD, new_password="ann", by=ann)
    assert "This password is too short. It must contain at least 8 characters." in info.value.messages
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)
    services.user_set_password(ann, old_password=PASSWORD, new_password=NEW, by=ann)
    ann.refresh_from_db()
    assert ann.check_password(NEW)
