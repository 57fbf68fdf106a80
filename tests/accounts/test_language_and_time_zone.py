"""The interface language (saved per user, cookie, Accept-Language) and the display
time zone (the user's team's zone; times are stored in UTC)."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from marketdesk.core.models import AuditEntry
from tests.core import factories as f

HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def page_language(response):
    return HTML_LANG.search(response.content.decode()).group(1)


def test_language_switch_saves_the_choice_and_sets_the_cookie(make_user, client_for):
    user = make_user("marketer", username="ann")
    client = client_for(user)
    assert page_language(client.get("/")) == "en"
    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/audit/"})
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    user.refresh_from_db()
    assert user.language == "zh-hans"
    entry = AuditEntry.objects.get(action="update", object_id=str(user.pk))
    assert entry.changes == {"before": {"language": ""}, "after": {"language": "zh-hans"}}
    assert page_language(client.get("/")) == "zh-hans"
    # And back.
    client.post("/accounts/language/", {"language": "en"})
    user.refresh_from_db()
    assert user.language == "en"
    assert page_language(client.get("/")) == "en"


def test_the_saved_language_follows_the_user_to_a_new_browser(make_user):
    from tests.conftest import PASSWORD

    make_user("marketer", username="ann", language="zh-hans")
    browser = Client()
    browser.post("/accounts/login/", {"username": "ann", "password": PASSWORD})
    assert page_language(browser.get("/")) == "zh-hans"


def test_anonymous_switch_sets_only_the_cookie(db):
    client = Client()
    response = client.post("/accounts/language/", {"language": "zh-hans",
                                                   "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert page_language(client.get("/accounts/login/")) == "zh-hans"
    assert AuditEntry.objects.filter(action="update").count() == 0


@pytest.mark.parametrize("language", ["fr", "", "zh-hans<script>"])
def test_unknown_language_changes_nothing(language, make_user, client_for):
    user = make_user("marketer", username="ann")
    response = client_for(user).post("/accounts/language/", {"language": language})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == ""


def test_language_switch_does_not_redirect_off_site(db):
    response = Client().post("/accounts/language/", {"language": "en",
                                                     "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_needs_post(db):
    assert Client().get("/accounts/language/").status_code == 405


@pytest.mark.parametrize(("accept", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
    ("zh-Hans", "zh-hans"),
    ("en-US,en;q=0.9", "en"),
    ("de-DE", "en"),
])
def test_accept_language_picks_the_login_page_language(accept, expected, db):
    response = Client(headers={"Accept-Language": accept}).get("/accounts/login/")
    assert page_language(response) == expected


def test_cookie_beats_accept_language(db):
    client = Client(headers={"Accept-Language": "zh-CN"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert page_language(client.get("/accounts/login/")) == "en"


# --- time zones -------------------------------------------------------------------

WINTER_NOON_UTC = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SUMMER_NOON_UTC = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


def shown_times(response):
    """(UTC datetime attribute, text shown) of every <time> on the page."""
    return re.findall(r'<time class="text-muted small" datetime="([^"]+)"[^>]*>([^<]+)</time>',
                      response.content.decode())


@pytest.mark.parametrize(("instant", "berlin", "shanghai"), [
    (WINTER_NOON_UTC, "2026-01-15 13:00", "2026-01-15 20:00"),
    (SUMMER_NOON_UTC, "2026-07-01 14:00", "2026-07-01 20:00"),
])
def test_times_are_shown_in_the_teams_zone(instant, berlin, shanghai, make_user, team_a,
                                           team_b, client_for):
    with mock.patch("django.utils.timezone.now", return_value=instant):
        f.research_note(team_b, title="Berlin note")
        f.research_note(team_a, title="Shanghai note")
    iso = instant.isoformat()
    brand = make_user("marketer", username="brand-marketer", teams=[team_b])
    growth = make_user("marketer", username="growth-marketer", teams=[team_a])
    director = make_user("director", username="boss")

    assert shown_times(client_for(brand).get("/")) == [(iso, berlin)]
    assert shown_times(client_for(growth).get("/")) == [(iso, shanghai)]
    # No team: the default zone (Asia/Shanghai); both teams' entries, today's users' too.
    director_times = shown_times(client_for(director).get("/"))
    assert director_times.count((iso, shanghai)) == 2
    assert (iso, berlin) not in director_times


def test_a_user_in_several_teams_sees_the_first_teams_zone(make_user, team_a, team_b,
                                                           client_for):
    with mock.patch("django.utils.timezone.now", return_value=WINTER_NOON_UTC):
        f.research_note(team_b, title="Berlin note")
    user = make_user("marketer", username="both", teams=[team_b, team_a])
    assert shown_times(client_for(user).get("/")) == [(WINTER_NOON_UTC.isoformat(),
                                                       "2026-01-15 13:00")]


def test_an_unknown_team_zone_falls_back_to_the_default(make_user, team_b, client_for):
    from marketdesk.accounts.models import Team

    Team.objects.filter(pk=team_b.pk).update(time_zone="Mars/Olympus")
    with mock.patch("django.utils.timezone.now", return_value=WINTER_NOON_UTC):
        f.research_note(team_b, title="Berlin note")
    user = make_user("marketer", username="brand-marketer", teams=[team_b])
    assert shown_times(client_for(user).get("/")) == [(WINTER_NOON_UTC.isoformat(),
                                                       "2026-01-15 20:00")]
