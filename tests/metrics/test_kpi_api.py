"""The KPI registry over the API (K1–K10, F2–F5, O16): list, one KPI, run, explain and
export — every status code, parameters by name, formula-safe downloads."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pyarrow as pa
import pytest

from marketdesk.metrics import registry, store
from tests.metrics.conftest import FORMULA_OWNER

URL = "/api/v1/metrics/kpis"
UTC = dt.UTC



@pytest.mark.django_db
def test_list_has_every_kpi_with_both_names(api_client_for, users):
    response = api_client_for(users["sales"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [k["id"] for k in body] == list(registry.catalogue())
    nps = next(k for k in body if k["id"] == "nps")
    assert nps["domain"][0] == "F2"
    assert nps["name_zh"] and nps["name_en"] and nps["formula_en"]
    assert nps["unit"] == "score"


@pytest.mark.django_db
def test_one_kpi_and_404(api_client_for, users):
    client = api_client_for(users["marketer"])
    response = client.get(URL + "/funnel")
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["options"]][:1] == ["window_days"]
    assert client.get(URL + "/no_such_kpi").status_code == 404
    assert client.get(URL + "/no_such_kpi/run").status_code == 404


@pytest.mark.django_db
def test_signed_out_401(client):
    assert client.get(URL).status_code == 401
    assert client.get(URL + "/nps/run").status_code == 401


@pytest.mark.django_db
def test_run_with_period_by_and_filter(api_client_for, users, activities):
    client = api_client_for(users["team_leader"])
    response = client.get(URL + "/sales_activities/run", {"period": "month", "owner": "rep1"})
    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == ["period", "kind", "value"]
    assert body["rows"] == [["2026-03-01", "call", 2]]
    assert body["parameters"]["filters"] == {"owner": "rep1"}
    assert body["parameters"]["tz"] == "Asia/Shanghai"
    assert body["domain"] == ["K8"]


@pytest.mark.django_db
def test_run_total_of_an_uncut_ratio(api_client_for, users):
    store.write("survey_responses", pa.Table.from_pylist([
        {"event_id": f"s{i}", "ts": dt.datetime(2026, 3, 2, tzinfo=UTC), "score": s}
        for i, s in enumerate((10, 9, 3, 8))]), sync=False)
    body = api_client_for(users["director"]).get(URL + "/nps/run").json()
    assert body["total"] == pytest.approx(25.0)


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field", "words"), [
    ({"period": "year"}, "period", "'year' is not one of day, week, month, quarter"),
    ({"start": "2026-13-01"}, "start", "not a date"),
    ({"start": "2026-03-05", "end": "2026-03-01"}, "end", "before the start"),
    ({"by": "campaign"}, "by", "can be cut by"),
    ({"colour": "red"}, "colour", "takes no parameter 'colour'"),
    ({"tz": "Mars/Olympus"}, "tz", "unknown time zone"),
])
def test_bad_parameters_422_name_the_parameter(api_client_for, users, query, field, words):
    client = api_client_for(users["marketer"])
    for action in ("run", "explain", "export"):
        response = client.get(f"{URL}/sales_activities/{action}", query)
        assert response.status_code == 422, action
        error = response.json()["errors"][0]
        assert error["field"] == field
        assert words in error["message"]


@pytest.mark.django_db
def test_option_out_of_range_422(api_client_for, users):
    response = api_client_for(users["marketer"]).get(URL + "/funnel/run", {"window_days": "0"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "window_days"


@pytest.mark.django_db
def test_explain_shows_the_sql_with_the_filter(api_client_for, users):
    body = api_client_for(users["sales"]).get(URL + "/sales_activities/explain",
                                              {"owner": "rep9", "start": "2026-03-01"}).json()
    assert body["kpi"] == "sales_activities"
    assert "sales_activities" in body["sql"] and "'rep9'" in body["sql"]
    assert body["sql"].lstrip().upper().startswith(("SELECT", "WITH"))


@pytest.mark.django_db
def test_export_csv_is_formula_safe_with_bom(api_client_for, users, activities):
    response = api_client_for(users["marketer"]).get(URL + "/sales_activities/export",
                                                     {"format": "csv", "by": "owner"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="sales_activities.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["owner", "value"], ["'" + FORMULA_OWNER, "1"], ["rep1", "2"]]


@pytest.mark.django_db
def test_export_xlsx_and_json(api_client_for, users, activities):
    client = api_client_for(users["marketer"])
    response = client.get(URL + "/sales_activities/export", {"format": "xlsx", "by": "owner"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["sales_activities"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["owner", "value"], ["'" + FORMULA_OWNER, 1], ["rep1", 2]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    about = {row[0].value: row[1].value for row in book["about"].iter_rows()}
    assert about["DOMAIN"] == "K8" and about["by"] == "owner"
    body = json.loads(client.get(URL + "/sales_activities/export", {"format": "json"}).content)
    assert body["rows"] == [["call", 2], ["meeting", 1]]
    bad = client.get(URL + "/sales_activities/export", {"format": "pdf"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"


@pytest.mark.django_db
def test_empty_store_runs_every_kpi(api_client_for, users):
    client = api_client_for(users["director"])
    for kpi_id in registry.catalogue():
        response = client.get(f"{URL}/{kpi_id}/run")
        assert response.status_code == 200, (kpi_id, response.content[:300])
