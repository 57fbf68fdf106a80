"""The REST interface under /api/v1/events: status codes, the error shape, the gate,
and the pipeline operations (screen, evaluate, decide, import, registrations, leads,
retrospective, weights, agenda)."""

import datetime as dt

import pytest
from django.test import Client

from marketdesk.events import models as m
from marketdesk.events import services
from marketdesk.sop.models import ProcessRun

from .conftest import make_event

API = "/api/v1/events"
SCORES = {"topic_fit": 5, "organiser": 4, "attendees": 3, "cost_effectiveness": 2,
          "references": 1, "other": 0}
CHECKS = {"competitor_present": "yes", "organiser_background": "yes", "past_influence": "yes",
          "business_value": "yes", "cost_effective": "yes"}


def post(client, path, data, **kw):
    return client.post(f"{API}/{path}", data, content_type="application/json", **kw)


def put(client, path, data):
    return client.put(f"{API}/{path}", data, content_type="application/json")


@pytest.fixture
def api(users, api_client_for):
    return {role: api_client_for(user) for role, user in users.items()}


@pytest.fixture
def foreign(team_b, make_user):
    brand = make_user("marketer", username="brand-marketer", teams=[team_b])
    return make_event(team_b, brand, name="Brand gala")


def test_unauthenticated_is_401():
    response = Client().get(f"{API}/events")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send a bearer token or sign in.", "errors": []}


def test_create_list_and_read(api, team_a, users, foreign):
    response = post(api["marketer"], "events", {
        "team": team_a.pk, "owner": users["marketer"].pk, "name": "API 峰会",
        "start_date": "2027-05-01", "end_date": "2027-05-02", "source_channel": "media"})
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["screening"], body["decision"], body["score"]) == (
        "API 峰会", "new", "pending", None)
    listed = api["sales"].get(f"{API}/events").json()
    assert [e["name"] for e in listed["items"]] == ["API 峰会"]
    assert api["marketer"].get(f"{API}/events/{foreign.pk}").status_code == 404
    assert api["director"].get(f"{API}/events/{foreign.pk}").status_code == 200


def test_create_is_refused_for_sales_and_for_other_teams(api, team_a, team_b, users):
    data = {"team": team_a.pk, "owner": users["sales"].pk, "name": "X",
            "start_date": "2027-05-01", "end_date": "2027-05-01"}
    assert post(api["sales"], "events", data).status_code == 403
    response = post(api["marketer"], "events", {**data, "team": team_b.pk,
                                                "owner": users["marketer"].pk})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "team", "message": "Not one of your teams.", "code": "scope"}]
    assert m.Event.objects.count() == 0


def test_end_before_start_is_422_naming_the_field(api, team_a, users):
    response = post(api["marketer"], "events", {
        "team": team_a.pk, "owner": users["marketer"].pk, "name": "X",
        "start_date": "2027-05-02", "end_date": "2027-05-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "end_date", "code": "invalid",
                                          "message": "The end date cannot be before the start date."}]


def test_decision_fields_are_read_only_through_patch(api, event):
    response = api["marketer"].patch(f"{API}/events/{event.pk}", {"name": "Renamed", "score": 99},
                                     content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["score"]) == ("Renamed", None)


def test_screen_evaluate_decide(api, event):
    response = post(api["marketer"], f"events/{event.pk}/screen", {"accept": False})
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "field": "rejection_reason", "message": "Give the reason for rejecting the opportunity.",
        "code": "invalid"}]
    assert post(api["sales"], f"events/{event.pk}/screen", {"accept": True}).status_code == 403
    assert post(api["marketer"], f"events/{event.pk}/screen", {"accept": True}).status_code == 200
    response = post(api["marketer"], f"events/{event.pk}/evaluate",
                    {"scores": SCORES, "checks": CHECKS, "note": "Solid"})
    assert (response.status_code, response.json()["score"]) == (200, "50.00")
    response = post(api["marketer"], f"events/{event.pk}/evaluate",
                    {"scores": {**SCORES, "vibes": 5}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "vibes"
    decision = {"decision": "go", "event_type": "salon", "priority": "P1"}
    assert post(api["marketer"], f"events/{event.pk}/decide", decision).status_code == 403
    response = post(api["team_leader"], f"events/{event.pk}/decide", decision)
    assert response.status_code == 200
    run = ProcessRun.objects.get()
    assert (response.json()["run"], response.json()["stage"], response.json()["decision"]) == (
        run.pk, "decision", "go")
    response = post(api["team_leader"], f"events/{event.pk}/decide",
                    {**decision, "event_type": "summit"})
    assert response.status_code == 422


def test_ranked(api, team_a, users):
    marketer = users["marketer"]
    for name, value in [("low", 1), ("high", 4)]:
        event = make_event(team_a, marketer, name=name)
        services.event_screen(event, by=marketer, accept=True)
        event.refresh_from_db()
        services.event_evaluate(event, by=marketer, scores=dict.fromkeys(SCORES, value))
    make_event(team_a, marketer, name="unscored")
    body = api["reviewer"].get(f"{API}/ranked").json()
    assert [(e["name"], e["score"]) for e in body["items"]] == [
        ("high", "80.00"), ("low", "20.00"), ("unscored", None)]
    body = api["reviewer"].get(f"{API}/ranked", {"stage": "new"}).json()
    assert [e["name"] for e in body["items"]] == ["unscored"]


def test_import_rows(api, team_a, team_b):
    rows = [{"活动名称": "甲", "开始日期": "2027-05-01"},
            {"活动名称": "乙", "开始日期": "2027-05-40"},
            {"活动名称": "=HYPERLINK(1)", "开始日期": "2027-05-03"}]
    response = post(api["marketer"], "import", {"team": team_a.pk, "rows": rows})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "2 problems in the rows; nothing was written.",
        "errors": [
            {"field": "rows[2].开始日期", "message": "“2027-05-40” is not a date (write 2026-05-20)",
             "code": "row"},
            {"field": "rows[3].活动名称", "message": "looks like a spreadsheet formula",
             "code": "row"}]}
    assert m.Event.objects.count() == 0
    response = post(api["marketer"], "import", {"team": team_a.pk, "rows": rows,
                                               "skip_bad_rows": True})
    assert response.status_code == 201
    body = response.json()
    assert (body["encoding"], body["total"], body["written"], len(body["errors"])) == (
        "json", 3, 1, 2)
    assert post(api["sales"], "import", {"team": team_a.pk, "rows": rows}).status_code == 403
    assert post(api["marketer"], "import", {"team": team_b.pk, "rows": rows}).status_code == 404


def test_import_file(api, team_a):
    data = "活动名称,开始日期\n广州沙龙,2027年8月1日\n".encode("gb18030")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api["marketer"].post(f"{API}/import-file", {
        "team": team_a.pk, "file": SimpleUploadedFile("a.csv", data, "text/csv")})
    assert response.status_code == 201
    assert (response.json()["encoding"], response.json()["written"]) == ("gb18030", 1)
    response = api["marketer"].post(f"{API}/import-file", {
        "team": team_a.pk, "file": SimpleUploadedFile("a.csv", "x".encode("utf-16"), "text/csv")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_registrations_curve_and_daily_report(api, event, users):
    services.events.update(event, by=users["marketer"], registration_target=150,
                           start_date=dt.date(2027, 6, 15), end_date=dt.date(2027, 6, 15),
                           warmup_start=dt.date(2027, 6, 1), curve_exponent=1)
    response = put(api["marketer"], f"events/{event.pk}/registrations",
                   {"day": "2027-06-05", "channel": "官网", "count": 39})
    assert (response.status_code, response.json()["count"]) == (200, 39)
    assert put(api["sales"], f"events/{event.pk}/registrations",
               {"day": "2027-06-05", "channel": "官网", "count": 1}).status_code == 403
    status = api["reviewer"].get(f"{API}/events/{event.pk}/curve", {"day": "2027-06-05"}).json()["status"]
    assert status == {"day": "2027-06-05", "index": 5, "days": 15, "expected": "50.00",
                      "floor": "40.00", "actual": 39, "shortfall": "11.00", "below": True}
    report = api["reviewer"].get(f"{API}/events/{event.pk}/daily-report", {"day": "2027-06-05"}).json()
    assert (report["lines"], report["total_cumulative"], report["percent_of_target"]) == (
        [{"channel": "官网", "today": 39, "cumulative": 39}], 39, "26.0")
    rows = [{"日期": "2027-06-06", "渠道": "社群", "报名人数": 5}]
    assert post(api["marketer"], f"events/{event.pk}/import/registrations",
                {"rows": rows}).status_code == 201
    assert services.registration_total(event) == 44


def test_leads_and_retrospective(api, event, users):
    response = post(api["marketer"], f"events/{event.pk}/import/leads", {"rows": [
        {"姓名": "李雷", "电话": "+86 138 0000 0000"}, {"name": "Han", "email": "han@example.com"}]})
    assert response.status_code == 422  # one file, one set of headers: "name" repeats 姓名
    response = post(api["marketer"], f"events/{event.pk}/import/leads", {"rows": [
        {"姓名": "李雷", "电话": "+86 138 0000 0000"}, {"姓名": "韩梅梅", "邮箱": "han@example.com"}]})
    assert (response.status_code, response.json()["written"]) == (201, 2)
    ids = list(event.leads.values_list("pk", flat=True))
    response = post(api["marketer"], f"events/{event.pk}/leads/hand",
                    {"leads": ids, "to": users["marketer"].pk})
    assert response.status_code == 422
    response = post(api["marketer"], f"events/{event.pk}/leads/hand",
                    {"leads": ids, "to": users["sales"].pk})
    assert response.json() == {"handed": 2}
    response = post(api["marketer"], f"events/{event.pk}/retrospective", {})
    assert (response.status_code, response.json()["leads"], response.json()["leads_handed"]) == (
        201, 2, 2)
    assert post(api["marketer"], f"events/{event.pk}/retrospective", {}).status_code == 200
    retro = m.Retrospective.objects.get()
    response = api["marketer"].patch(f"{API}/retrospectives/{retro.pk}",
                                     {"strengths": "Great leads"}, content_type="application/json")
    assert (response.status_code, response.json()["strengths"]) == (200, "Great leads")
    assert post(api["sales"], f"events/{event.pk}/retrospective", {}).status_code == 403


def test_weights(api, team_a, team_b):
    assert api["sales"].get(f"{API}/weights/{team_a.pk}").json() == {
        "team": team_a.pk, "topic_fit": "1", "organiser": "1", "attendees": "1",
        "cost_effectiveness": "1", "references": "1", "other": "1"}
    assert put(api["marketer"], f"weights/{team_a.pk}", {"topic_fit": 3}).status_code == 403
    response = put(api["team_leader"], f"weights/{team_a.pk}", {"topic_fit": -1})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "topic_fit", "code": "invalid",
                                          "message": "A weight cannot be negative."}]
    response = put(api["team_leader"], f"weights/{team_a.pk}", {"topic_fit": 3})
    assert (response.status_code, response.json()["topic_fit"]) == (200, "3.00")
    assert api["team_leader"].get(f"{API}/weights/{team_b.pk}").status_code == 404


def test_agenda(api, team_a, team_b, event):
    response = api["reviewer"].get(f"{API}/agenda", {"team": team_a.pk, "week": "2027-03-10"})
    body = response.json()
    assert (response.status_code, body["week_start"], body["since"]) == (200, "2027-03-08",
                                                                         "2027-03-01")
    assert body["markdown"].startswith("# Weekly event evaluation — Growth, week of 2027-03-08\n")
    assert api["reviewer"].get(f"{API}/agenda", {"team": team_b.pk, "week": "2027-03-10"}
                               ).status_code == 404


def test_child_records_are_scoped(api, event, foreign):
    response = post(api["marketer"], "cost-lines", {
        "event": foreign.pk, "description": "x", "category": "venue", "planned_amount": "1"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "event"
    response = post(api["marketer"], "cost-lines", {
        "event": event.pk, "description": "Hall", "category": "venue", "planned_amount": "100"})
    assert response.status_code == 201
    assert api["marketer"].get(f"{API}/cost-lines", {"event": event.pk}).json()["count"] == 1


def test_openapi_lists_the_operations(api):
    paths = api["marketer"].get("/api/v1/openapi.json").json()["paths"]
    for path in ["/api/v1/events/events", "/api/v1/events/events/{event_id}/decide",
                 "/api/v1/events/import", "/api/v1/events/import-file", "/api/v1/events/agenda",
                 "/api/v1/events/events/{event_id}/daily-report"]:
        assert path in paths, path
