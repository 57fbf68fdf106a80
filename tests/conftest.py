"""Shared fixtures: two teams, one user per role in each, and clients for them.

Team A ("growth") is "ours" in every permission test; team B ("brand") is "the other
team". Company-wide roles (director, admin) belong to no team and see both.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright beside live_server

PASSWORD = "Correct-horse-42"
TEAM_ROLES = ["team_leader", "marketer", "reviewer", "sales"]
ALL_ROLES = ["director", "admin", *TEAM_ROLES]


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.MARKETDESK_TEST_TMP = tmp_path
    settings.MARKETDESK_FACTS_DIR = tmp_path / "facts"  # every test starts with no facts
    settings.MARKETDESK_DEMO_TOUCHPOINTS = 0  # a demo test asks for (a few) facts itself
    yield
    from marketdesk.metrics import store

    store.close_indexes()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language (English).

    A request in Chinese leaves its language active on the thread (LocaleMiddleware
    and the language switch call ``translation.activate``); without this reset the
    next test in the same worker would see Chinese messages from services it calls
    directly — an order-dependent failure CI hit once.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def team_a(db):
    from marketdesk.accounts.services import team_create

    return team_create(name="Growth", slug="growth")


@pytest.fixture
def team_b(db):
    from marketdesk.accounts.services import team_create

    return team_create(name="Brand", slug="brand", time_zone="Europe/Berlin")


@pytest.fixture
def make_user(db, team_a):
    from marketdesk.accounts.services import user_create

    def make(role, username=None, teams=None, **extra):
        if teams is None:
            teams = [] if role in ("director", "admin") else [team_a]
        return user_create(username=username or f"{role}-{len(teams)}-{id(teams)}",
                           password=PASSWORD, role=role, teams=teams, **extra)

    return make


@pytest.fixture
def users(make_user, team_a):
    """One user per role; team roles are in team A."""
    return {role: make_user(role, username=role) for role in ALL_ROLES}


@pytest.fixture
def client_for(client):
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def api_client_for():
    """A client that authenticates with a real bearer token (no session, no CSRF)."""
    from django.test import Client

    from marketdesk.accounts.services import token_issue

    def make(user):
        issued = token_issue(user, name="tests")
        return Client(headers={"Authorization": f"Bearer {issued.secret}"})

    return make
