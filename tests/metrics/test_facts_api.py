"""POST /api/v1/metrics/facts/{table} (O14): every status code, all-or-nothing, skip bad rows."""

import json

import pytest

from marketdesk.metrics import store

URL = "/api/v1/metrics/facts/"


def touch(event_id, ts="2026-03-01T09:30:00+08:00", **extra):
    return {"event_id": event_id, "ts": ts, "event_type": "page_view", **extra}


def post(client, table, body):
    return client.post(URL + table, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_editor_writes_facts_200(api_client_for, users):
    client = api_client_for(users["marketer"])
    response = post(client, "touchpoints", {"rows": [touch("a", source=" Baidu ", medium="CPC"),
                                                     touch("a")]})
    assert response.status_code == 200
    assert response.json() == {"table": "touchpoints", "received": 2, "written": 1,
                               "duplicates": 1, "refused": False, "errors": []}
    con = store.duckdb_connection(["touchpoints"])
    assert con.execute("SELECT event_id, source, medium, channel, origin FROM touchpoints") \
        .fetchall() == [("a", "baidu", "cpc", "paid_search", "api")]


@pytest.mark.django_db
def test_bad_row_refuses_all_422_naming_rows_index_column(api_client_for, users):
    client = api_client_for(users["director"])
    response = post(client, "touchpoints", {"rows": [touch("a"), touch("b"), touch("c"),
                                                     touch("d", ts="tomorrow")]})
    assert response.status_code == 422
    assert response.json() == {"detail": "Nothing was written: 1 rows have errors.", "errors": [{
        "field": "rows.3.ts", "code": "invalid",
        "message": "“tomorrow” is not a date and time in ISO 8601 (e.g. 2026-03-01T09:30:00+08:00)."}]}
    assert store.files("touchpoints") == []


@pytest.mark.django_db
def test_skip_bad_rows_200_with_errors(api_client_for, users):
    client = api_client_for(users["team_leader"])
    response = post(client, "lifecycle", {"skip_bad_rows": True, "rows": [
        {"event_id": "l1", "ts": "2026-03-01T00:00:00Z", "person_id": "p1", "stage": "lead"},
        {"event_id": "l2", "ts": "2026-03-01T00:00:00Z", "person_id": "p1", "stage": "hot"}]})
    assert response.status_code == 200
    body = response.json()
    assert (body["written"], body["refused"]) == (1, False)
    assert body["errors"] == [{"row": 2, "field": "stage", "reason": "“hot” is not a known stage; "
                               "expected one of: subscriber, lead, mql, sql, opportunity, "
                               "customer, evangelist, other."}]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales", "reviewer"])
def test_non_editors_403(api_client_for, users, role):
    response = post(api_client_for(users[role]), "touchpoints", {"rows": [touch("a")]})
    assert response.status_code == 403
    assert store.files("touchpoints") == []


@pytest.mark.django_db
def test_anonymous_401_unknown_table_404_bad_body_422(client, api_client_for, users):
    assert post(client, "touchpoints", {"rows": []}).status_code == 401
    editor = api_client_for(users["marketer"])
    assert post(editor, "mentions", {"rows": []}).status_code == 404
    response = post(editor, "touchpoints", {"rows": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows"
    response = post(editor, "touchpoints", {"rows": [{}] * 10_001})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "rows", "code": "too_many", "message":
                                          "At most 10000 rows per request; this one has 10001."}]


@pytest.mark.django_db
def test_session_write_needs_csrf_403(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["marketer"])
    assert post(client, "touchpoints", {"rows": [touch("a")]}).status_code == 403
