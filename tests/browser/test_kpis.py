"""The KPI pages in a real browser: the sales dashboard's cards arrive one by one over
HTMX, a KPI page draws its ECharts chart, the form reruns it, the CSV export downloads
through the session."""

import datetime as dt

import pyarrow as pa
import pytest
from playwright.sync_api import expect

from marketdesk.metrics import registry, store
from tests.browser.conftest import arrive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UTC = dt.UTC


def test_dashboard_cards_chart_and_export(page, login, make_user):
    store.write("sales_activities", pa.Table.from_pylist([
        {"event_id": f"a{i}", "ts": dt.datetime(2026, month, 2, 3, tzinfo=UTC),
         "owner": "rep1", "kind": kind}
        for i, (month, kind) in enumerate([(3, "call"), (3, "call"), (4, "meeting"), (5, "email")])]),
        sync=False)
    login(page, make_user("sales", username="sam"))
    page.get_by_role("link", name="KPIs").click()
    arrive(page, "/metrics/")
    cards = page.locator("[data-kpi][data-loaded]")
    expect(cards).to_have_count(len(registry.DASHBOARDS["sales"]))
    card = page.locator('[data-kpi="sales_activities"]')
    expect(card.locator("tbody tr")).to_have_count(3)

    card.get_by_role("link", name="Sales activities").click()
    arrive(page, "/metrics/kpis/sales_activities/")
    page.get_by_label("Period").select_option("month")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(page.base_url + "/metrics/kpis/sales_activities/?period=month&start=&end=&by=kind")
    expect(page.locator(".kpi-chart canvas")).to_have_count(1)
    expect(page.locator('[data-testid="kpi-table"] tbody tr')).to_have_count(3)

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "sales_activities.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "period,kind,value"
    assert "2026-03-01,call,2" in text
