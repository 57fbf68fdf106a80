"""The KPI pages (K1–K10, F2–F5, O16): the role dashboard with cards loaded one by one,
the catalogue, one KPI with its form, chart data, table, SQL and exports; errors name the
parameter and answer 400; the navigation entry."""

import datetime as dt
import json
import re

import pyarrow as pa
import pytest

from marketdesk.metrics import registry, store

UTC = dt.UTC


@pytest.fixture
def activities():
    rows = [
        {"event_id": "a1", "ts": dt.datetime(2026, 3, 2, 3, tzinfo=UTC), "owner": "rep1", "kind": "call"},
        {"event_id": "a2", "ts": dt.datetime(2026, 3, 3, 3, tzinfo=UTC), "owner": "rep2", "kind": "call"},
        {"event_id": "a3", "ts": dt.datetime(2026, 4, 2, 3, tzinfo=UTC), "owner": "rep1", "kind": "meeting"},
        {"event_id": "a4", "ts": dt.datetime(2026, 4, 3, 3, tzinfo=UTC), "owner": "<b>rep3</b>", "kind": "call"},
    ]
    store.write("sales_activities", pa.Table.from_pylist(rows), sync=False)
    store.write("survey_responses", pa.Table.from_pylist([
        {"event_id": f"s{i}", "ts": dt.datetime(2026, 3, 2, tzinfo=UTC), "score": s}
        for i, s in enumerate((10, 9, 3, 8))]), sync=False)


def table(html):
    body = re.search(r'data-testid="kpi-table">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def chart(html):
    match = re.search(r'<script id="kpi-chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["director", "marketer", "sales"])
def test_dashboard_lists_the_role_kpis_as_lazy_cards(client_for, users, role):
    response = client_for(users[role]).get("/metrics/")
    assert response.status_code == 200
    html = response.content.decode()
    for kpi_id in registry.DASHBOARDS[role]:
        assert f'hx-get="/metrics/kpis/{kpi_id}/card/"' in html


@pytest.mark.django_db
def test_card_shows_the_formatted_total(client_for, users, activities):
    client = client_for(users["director"])
    html = client.get("/metrics/kpis/nps/card/").content.decode()
    assert 'data-testid="kpi-value">25.0<' in html
    empty = client.get("/metrics/kpis/roi/card/").content.decode()
    assert 'data-testid="kpi-empty"' in empty
    assert client.get("/metrics/kpis/nope/card/").status_code == 404


@pytest.mark.django_db
def test_catalogue_has_every_kpi_by_role(client_for, users):
    html = client_for(users["reviewer"]).get("/metrics/kpis/").content.decode()
    for kpi_id in registry.catalogue():
        assert f'data-kpi="{kpi_id}"' in html
    assert 'data-role="email"' in html


@pytest.mark.django_db
def test_kpi_page_periods_chart_table_sql_and_exports(client_for, users, activities):
    response = client_for(users["marketer"]).get(
        "/metrics/kpis/sales_activities/", {"period": "month", "by": "kind"})
    assert response.status_code == 200
    html = response.content.decode()
    assert chart(html) == {"type": "line", "x": ["2026-03-01", "2026-04-01"], "series": [
        {"name": "call", "data": [2, 1]}, {"name": "meeting", "data": [None, 1]}]}
    assert 'data-testid="kpi-table"' in html and "SELECT" in html
    assert "/api/v1/metrics/kpis/sales_activities/export?format=xlsx&amp;period=month&amp;by=kind" in html


@pytest.mark.django_db
def test_kpi_page_bars_by_dimension_escapes_values(client_for, users, activities):
    html = client_for(users["sales"]).get("/metrics/kpis/sales_activities/",
                                          {"by": "owner"}).content.decode()
    assert chart(html)["type"] == "bar"
    assert "<b>rep3</b>" not in html
    assert ["&lt;b&gt;rep3&lt;/b&gt;", "1"] in table(html)


@pytest.mark.django_db
def test_kpi_page_filter_from_the_url_is_kept(client_for, users, activities):
    html = client_for(users["sales"]).get("/metrics/kpis/sales_activities/",
                                          {"owner": "rep1"}).content.decode()
    assert '<input type="hidden" name="owner" value="rep1">' in html
    assert "<code>owner = rep1</code>" in html
    assert table(html) == [["call", "1"], ["meeting", "1"]]


@pytest.mark.django_db
def test_bad_parameter_400_names_it(client_for, users, activities):
    response = client_for(users["marketer"]).get("/metrics/kpis/sales_activities/",
                                                 {"start": "2026-04-01", "end": "2026-03-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="kpi-error"' in html and "<strong>end</strong>" in html
    assert re.search(r'class="[^"]*is-invalid" type="date" id="id_end" name="end" value="2026-03-01"', html)


@pytest.mark.django_db
def test_signed_out_redirects_and_unknown_kpi_404(client, client_for, users):
    assert client.get("/metrics/").status_code == 302
    assert client.get("/metrics/kpis/nps/").status_code == 302
    assert client_for(users["marketer"]).get("/metrics/kpis/nope/").status_code == 404


@pytest.mark.django_db
def test_navigation_has_kpis_for_every_role(client_for, users):
    for user in users.values():
        html = client_for(user).get("/").content.decode()
        assert 'href="/metrics/"' in html


@pytest.mark.django_db
def test_every_kpi_page_renders_on_an_empty_store(client_for, users):
    client = client_for(users["director"])
    for kpi_id in registry.catalogue():
        assert client.get(f"/metrics/kpis/{kpi_id}/").status_code == 200, kpi_id
        assert client.get(f"/metrics/kpis/{kpi_id}/card/").status_code == 200, kpi_id
