"""The company-wide audit log page and its CSV export (director and admin only)."""

import csv
import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType

from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.conftest import TEAM_ROLES
from tests.core import factories as f

T1 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)   # 2026-03-01 18:00 in Shanghai
T2 = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)   # 2026-03-02 01:00 in Shanghai
T3 = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)    # 2026-03-05 17:00 in Shanghai
T4 = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)    # 2026-03-06 17:00 in Shanghai


def at(instant):
    return mock.patch("django.utils.timezone.now", return_value=instant)


@pytest.fixture
def history(users, team_a):
    """Four changes at known instants (the fixtures' own entries are from today)."""
    with at(T1):
        note = f.research_note(team_a, by=users["marketer"], title="Store interviews")
    with at(T2):
        rival = f.competitor(team_a, by=users["team_leader"], name="Rival")
    with at(T3):
        services.research_notes.update(note, by=users["team_leader"], title="Store interviews v2")
    with at(T4):
        rival_pk = rival.pk
        services.competitors.delete(rival, by=users["director"])
    return {"note": note, "rival_pk": rival_pk}


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


HEADER = ["time (UTC)", "actor", "action", "type", "object id", "object", "changes",
          "message", "request id"]


def rows_of(client, query=""):
    """(time, actor, action, type, object) of every exported row, newest first."""
    rows = csv_rows(client.get(f"/audit/export.csv{query}"))
    assert rows[0] == HEADER
    return [(r[0], r[1], r[2], r[3], r[5]) for r in rows[1:]]


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_team_roles_are_refused(role, users, client_for, history):
    client = client_for(users[role])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@pytest.mark.parametrize("role", ["director", "admin"])
def test_company_wide_roles_see_the_log(role, users, client_for, history):
    response = client_for(users[role]).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Store interviews v2" in html
    assert "Rival" in html


def test_filter_by_action(users, client_for, history):
    client = client_for(users["director"])
    assert rows_of(client, "?action=update") == [
        ("2026-03-05T09:00:00+00:00", "team_leader", "update", "researchnote", "Store interviews v2"),
    ]
    page = client.get("/audit/?action=update").content.decode()
    assert "1 entry" in page
    assert page.count('<li class="list-group-item px-0">') == 1


def test_filter_by_type(users, client_for, history):
    client = client_for(users["director"])
    type_id = ContentType.objects.get_for_model(m.Competitor).pk
    assert rows_of(client, f"?type={type_id}") == [
        ("2026-03-06T09:00:00+00:00", "director", "delete", "competitor", "Rival"),
        ("2026-03-01T17:00:00+00:00", "team_leader", "create", "competitor", "Rival"),
    ]
    page = client.get(f"/audit/?type={type_id}").content.decode()
    assert "2 entries" in page


def test_filter_by_text_matches_actor_object_and_message(users, client_for, history):
    client = client_for(users["director"])
    assert [r[4] for r in rows_of(client, "?q=store+interviews")] == [
        "Store interviews v2", "Store interviews"]
    assert [(r[2], r[4]) for r in rows_of(client, "?q=team_leader")] == [
        ("create", "team_leader"),  # the user's own record, made today by the fixture
        ("update", "Store interviews v2"), ("create", "Rival")]


def test_filter_by_request_id(users, client_for, api_client_for, team_a):
    api = api_client_for(users["marketer"])
    api.post("/api/v1/strategy/competitors",
             {"team": team_a.pk, "name": "Traced", "product_overlap": "similar"},
             content_type="application/json", headers={"X-Request-ID": "trace-7"})
    rows = rows_of(client_for(users["admin"]), "?q=trace-7")
    assert [(r[2], r[3], r[4]) for r in rows] == [("create", "competitor", "Traced")]


def test_filter_by_dates_uses_the_viewers_calendar(users, client_for, history):
    # The director has no team: Asia/Shanghai. T2 (17:00 UTC on 1 March) is 2 March there.
    client = client_for(users["director"])
    rows = rows_of(client, "?since=2026-03-02&until=2026-03-05")
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("2026-03-05T09:00:00+00:00", "update", "Store interviews v2"),
        ("2026-03-01T17:00:00+00:00", "create", "Rival"),
    ]
    rows = rows_of(client, "?until=2026-03-01")
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("2026-03-01T10:00:00+00:00", "create", "Store interviews")]
    # A date that is not a date is ignored rather than failing.
    assert len(rows_of(client, "?since=yesterday&action=delete")) == 1


def test_filters_combine(users, client_for, history):
    client = client_for(users["director"])
    rows = rows_of(client, "?q=rival&action=create&since=2026-03-01&until=2026-03-31")
    assert rows == [("2026-03-01T17:00:00+00:00", "team_leader", "create", "competitor", "Rival")]


def test_htmx_request_gets_only_the_results_partial(users, client_for, history):
    client = client_for(users["director"])
    response = client.get("/audit/?action=update", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<div id="results"')
    assert "<html" not in html
    assert "<form" not in html
    assert "Store interviews v2" in html
    assert "HX-Request" in response["Vary"]


def test_csv_export_is_excel_friendly_and_formula_safe(users, client_for, team_a):
    f.research_note(team_a, by=users["marketer"], title='=HYPERLINK("x")', source="+cmd",
                    kind="secondary", method="report")
    response = client_for(users["director"]).get("/audit/export.csv?action=create&q=HYPERLINK")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="marketdesk-audit-log.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = csv_rows(response)
    assert rows[0] == HEADER
    [row] = rows[1:]
    assert row[1:6] == ["marketer", "create", "researchnote", row[4], "'=HYPERLINK(\"x\")"]
    assert re.fullmatch(r"\d+", row[4])
    assert row[6].startswith('{"after": {')
    assert '"title": "=HYPERLINK(\\"x\\")"' in row[6]
    # No cell of the export starts with a formula character.
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)
