"""``marketdesk metrics list|run|explain`` (issue 4 surfaces): the same registry, the same
parameters as the API, CSV/JSON/XLSX output with formula-safe cells, one-line errors."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from typer.testing import CliRunner

from marketdesk.cli import app
from marketdesk.metrics import registry
from tests.metrics.conftest import FORMULA_OWNER

runner = CliRunner()
UTC = dt.UTC



def test_list_every_kpi_and_by_role():
    result = runner.invoke(app, ["metrics", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [k["id"] for k in json.loads(result.output)] == list(registry.catalogue())
    table = runner.invoke(app, ["metrics", "list", "--role", "email"])
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["KPI", "DOMAIN", "unit"]
    assert [line.split()[0] for line in lines[2:]] == [
        "email_open_rate", "email_ctr", "email_unsubscribe_rate"]


def test_list_unknown_role_exit_2():
    result = runner.invoke(app, ["metrics", "list", "--role", "astrology"])
    assert result.exit_code == 2
    assert "Unknown role 'astrology'" in result.output


def test_run_table(activities):
    result = runner.invoke(app, ["metrics", "run", "sales_activities", "--period", "month",
                                 "-p", "owner=rep1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Sales activities (K8)")
    assert lines[1].split() == ["period", "kind", "value"]
    assert lines[3].split() == ["2026-03-01", "call", "2"]


def test_run_csv_and_json_to_stdout(activities):
    result = runner.invoke(app, ["metrics", "run", "sales_activities", "--by", "owner", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["owner", "value"], ["'" + FORMULA_OWNER, "1"], ["rep1", "2"]]
    body = json.loads(runner.invoke(app, ["metrics", "run", "sales_activities", "-f", "json",
                                          "--start", "2026-04-01"]).output)
    assert body["rows"] == [["meeting", 1]]
    assert body["parameters"]["start"] == "2026-04-01"


def test_run_xlsx_to_a_file(activities, tmp_path):
    out = tmp_path / "acts.xlsx"
    result = runner.invoke(app, ["metrics", "run", "sales_activities", "--by", "owner",
                                 "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 rows written" in result.output
    sheet = openpyxl.load_workbook(out)["sales_activities"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["owner", "value"], ["'" + FORMULA_OWNER, 1], ["rep1", 2]]
    assert not (tmp_path / "acts.xlsx.part").exists()


@pytest.mark.parametrize(("args", "words"), [
    (["run", "no_such"], "Unknown KPI 'no_such'"),
    (["run", "sales_activities", "--period", "year"], "period: 'year' is not one of"),
    (["run", "sales_activities", "-p", "colour=red"], "colour: sales_activities takes no parameter"),
    (["run", "sales_activities", "-p", "owner"], "--param takes name=value"),
    (["run", "funnel", "-p", "window_days=0"], "window_days: must be at least"),
    (["run", "sales_activities", "-f", "pdf"], "--format is one of table, csv, json, xlsx"),
    (["run", "sales_activities", "-o", "x.csv"], "--output needs --format"),
    (["explain", "nps", "--by", "channel"], "by: nps can be cut by"),
])
def test_bad_arguments_exit_2_with_one_line(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["metrics", *args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not (tmp_path / "x.csv").exists()


def test_explain_prints_the_sql():
    result = runner.invoke(app, ["metrics", "explain", "sales_activities", "-p", "kind=call"])
    assert result.exit_code == 0, result.output
    assert "sales_activities" in result.output and "'call'" in result.output
