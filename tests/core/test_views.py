"""The shell pages of the kernel: home, global search and the History tab, each
through the permission gate."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from marketdesk.accounts.models import Team
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.core import factories as f


def history_url(obj):
    return f"/history/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


@pytest.fixture
def atlas(team_a, users):
    product = f.product(team_a, by=users["marketer"], name="Atlas")
    persona = f.persona(product, by=users["marketer"], name="Paula")
    services.personas.update(persona, by=users["team_leader"], title="CFO")
    return product


@pytest.fixture
def theirs(team_b):
    return f.product(team_b, name="Theirs")


def test_history_page_lists_the_record_and_its_children(atlas, users, client_for):
    response = client_for(users["sales"]).get(history_url(atlas))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "History of Atlas" in html
    assert html.count('<li class="list-group-item px-0">') == 8  # product, vision, 4 questions, persona ×2
    assert "<code>title</code>" in html  # the update's changed field
    assert "Head of procurement" in html and "CFO" in html


def test_history_partial_for_htmx(atlas, users, client_for):
    response = client_for(users["marketer"]).get(history_url(atlas), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<div id="history">')
    assert "<html" not in html


@pytest.mark.parametrize("role", ["team_leader", "marketer", "reviewer", "sales"])
def test_history_of_another_teams_record_is_404(role, theirs, users, client_for):
    assert client_for(users[role]).get(history_url(theirs)).status_code == 404


@pytest.mark.parametrize("role", ["director", "admin"])
def test_company_wide_roles_see_every_history(role, theirs, users, client_for):
    assert client_for(users[role]).get(history_url(theirs)).status_code == 200


def test_history_of_unknown_or_ungated_records_is_404(atlas, team_a, users, client_for):
    client = client_for(users["director"])
    product_type = ContentType.objects.get_for_model(m.Product).pk
    assert client.get(f"/history/{product_type}/999999/").status_code == 404
    assert client.get(f"/history/999999/{atlas.pk}/").status_code == 404
    team_type = ContentType.objects.get_for_model(Team).pk
    assert client.get(f"/history/{team_type}/{team_a.pk}/").status_code == 404


def test_history_needs_sign_in(atlas, client):
    response = client.get(history_url(atlas))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_search_finds_only_records_in_scope(atlas, theirs, team_b, users, client_for):
    f.product(team_b, name="Atlas Pro")

    def hits(user, query):
        html = client_for(user).get("/search/", {"q": query}).content.decode()
        return sorted(re.findall(r'<li><a href="[^"]*">([^<]*)</a></li>', html))

    assert hits(users["marketer"], "atlas") == ["Atlas"]
    assert hits(users["director"], "atlas") == ["Atlas", "Atlas Pro"]
    assert hits(users["sales"], "paula") == ["Paula"]
    assert hits(users["marketer"], "theirs") == []
    assert hits(users["marketer"], "") == []


def test_home_shows_team_roles_only_their_teams_changes(atlas, theirs, users, client_for):
    def objects(user):
        html = client_for(user).get("/").content.decode()
        return set(re.findall(r"</span> <span>([^<]*)</span>", html))

    mine = objects(users["marketer"])
    assert "Atlas" in mine and "Paula" in mine
    assert "Theirs" not in mine
    assert "Theirs" in objects(users["director"])
