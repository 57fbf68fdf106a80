"""The data-health page /metrics/health/ (O14): figures per table and per source; roles."""

import datetime as dt

import pytest

from marketdesk.metrics import ingest

URL = "/metrics/health/"


def feed():
    ingest.ingest("touchpoints", [
        {"event_id": "a", "ts": "2026-03-01T01:00:00Z", "event_type": "page_view"},
        {"event_id": "b", "ts": "2026-03-02T02:30:00Z", "event_type": "page_view"}],
        origin="collector")
    ingest.ingest("touchpoints", [{"event_id": "c", "ts": "bad", "event_type": "page_view"}],
                  origin="api")


@pytest.mark.django_db
def test_health_figures():
    feed()
    tables, origins = ingest.health()
    by_name = {t.table: t for t in tables}
    assert by_name["touchpoints"] == ingest.TableHealth(
        "touchpoints", 2, 2, dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC))
    assert by_name["deals"] == ingest.TableHealth("deals", 0, 0, None)
    assert [(o.table, o.origin, o.received, o.written, o.rejected) for o in origins] == [
        ("touchpoints", "api", 1, 0, 1), ("touchpoints", "collector", 2, 2, 0)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["director", "admin", "team_leader", "marketer"])
def test_editors_see_the_page(client_for, users, role):
    feed()
    response = client_for(users[role]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # 2026-03-02 02:30 UTC is 10:30 in Asia/Shanghai (the team's clock)
    assert '<tr data-table="touchpoints"><th scope="row"><code>touchpoints</code></th>' \
           '<td class="text-end">2</td><td class="text-end">2</td><td>2026-03-02 10:30</td></tr>' in html
    assert '<tr data-origin="touchpoints/api">' in html
    assert '<td class="text-end text-danger fw-semibold">1</td>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales", "reviewer"])
def test_others_403(client_for, users, role):
    assert client_for(users[role]).get(URL).status_code == 403


@pytest.mark.django_db
def test_anonymous_redirected_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
