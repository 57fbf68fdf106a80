"""The event pages over HTTP: the permission gate (another team's event is a 404, a
missing right a 403), writes through the services, inline errors that write nothing,
HTMX partials, the import error report, exports and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from marketdesk.events import models as m
from marketdesk.events import services
from marketdesk.sop.models import ProcessRun

from .conftest import make_event

HX = {"HTTP_HX_REQUEST": "true"}
SCORES = {"topic_fit": 5, "organiser": 4, "attendees": 3, "cost_effectiveness": 2,
          "references": 1, "other": 0}


@pytest.fixture
def foreign(team_b, make_user):
    brand = make_user("marketer", username="brand-marketer", teams=[team_b])
    return make_event(team_b, brand, name="Brand gala")


def evaluated(event, by):
    services.event_screen(event, by=by, accept=True)
    event.refresh_from_db()
    return services.event_evaluate(event, by=by, scores=SCORES, checks={
        "competitor_present": "yes", "organiser_background": "yes", "past_influence": "yes",
        "business_value": "yes", "cost_effective": "yes"})


# --- the gate ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["director", "admin", "team_leader", "marketer", "reviewer",
                                  "sales"])
def test_every_role_reads_its_team_events(role, users, client_for, event, foreign):
    c = client_for(users[role])
    page = c.get(reverse("events:list")).content.decode()
    assert "Cloud Native Summit" in page
    assert ("Brand gala" in page) is (role in ("director", "admin"))
    assert c.get(event.get_absolute_url()).status_code == 200


def test_another_teams_event_does_not_exist(users, client_for, foreign):
    c = client_for(users["marketer"])
    for url in [foreign.get_absolute_url(), reverse("events:tab", args=[foreign.pk, "costs"]),
                reverse("events:edit", args=[foreign.pk]),
                reverse("events:evaluate", args=[foreign.pk]),
                reverse("events:child_create", args=[foreign.pk, "costs"]),
                reverse("events:daily_report", args=[foreign.pk])]:
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("events:screen", args=[foreign.pk]), {"accept": "accept"}).status_code == 404


@pytest.mark.parametrize("role", ["sales", "reviewer"])
def test_readers_cannot_write(role, users, client_for, event, team_a):
    c = client_for(users[role])
    assert c.get(reverse("events:create")).status_code == 403
    assert c.post(reverse("events:create"), {"team": team_a.pk, "name": "X",
                                             "start_date": "2027-01-01"}).status_code == 403
    assert c.post(reverse("events:edit", args=[event.pk]), {"name": "X"}).status_code == 403
    assert c.post(reverse("events:screen", args=[event.pk]), {"accept": "accept"}).status_code == 403
    assert c.post(reverse("events:child_create", args=[event.pk, "costs"]),
                  {"description": "x", "planned_amount": "1"}).status_code == 403
    assert c.get(reverse("events:import")).status_code == 403
    assert c.post(reverse("events:delete", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert (event.name, event.screening, m.Event.objects.count()) == (
        "Cloud Native Summit", "new", 1)


def test_only_leaders_decide_and_delete(users, client_for, event):
    marketer = client_for(users["marketer"])
    assert marketer.get(reverse("events:decide", args=[event.pk])).status_code == 403
    assert marketer.post(reverse("events:delete", args=[event.pk])).status_code == 403
    leader = client_for(users["team_leader"])
    response = leader.post(reverse("events:delete", args=[event.pk]))
    assert response.status_code == 302
    assert m.Event.objects.count() == 0


# --- intake and screening ------------------------------------------------------------------

def test_create_from_the_form(users, client_for, team_a):
    c = client_for(users["marketer"])
    response = c.post(reverse("events:create"), {
        "team": team_a.pk, "name": "深圳开发者沙龙", "source_channel": "official_account",
        "our_role": "attend", "start_date": "2027-04-10", "currency": "CNY"})
    event = m.Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert (event.name, event.end_date, event.owner) == (
        "深圳开发者沙龙", dt.date(2027, 4, 10), users["marketer"])


def test_end_before_start_is_shown_on_the_field_and_nothing_written(users, client_for, team_a):
    c = client_for(users["marketer"])
    response = c.post(reverse("events:create"), {
        "team": team_a.pk, "name": "Oops", "source_channel": "other", "our_role": "attend",
        "start_date": "2027-04-10", "end_date": "2027-04-09", "currency": "CNY"})
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert m.Event.objects.count() == 0


def test_screening_is_an_htmx_partial(users, client_for, event):
    c = client_for(users["marketer"])
    url = reverse("events:screen", args=[event.pk])
    response = c.post(url, {"accept": "reject", "reason": ""}, **HX)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give the reason for rejecting the opportunity." in body
    assert "<html" not in body and 'id="screening"' in body
    event.refresh_from_db()
    assert event.screening == "new"
    response = c.post(url, {"accept": "accept"}, **HX)
    assert response.status_code == 200
    assert "<strong>Accepted</strong>" in response.content.decode()
    event.refresh_from_db()
    assert event.screening == "accepted"


def test_tabs_are_htmx_partials(users, client_for, event):
    c = client_for(users["marketer"])
    for tab in ["overview", "plan", "execution", "registrations", "onsite", "costs",
                "retrospective", "history"]:
        response = c.get(reverse("events:tab", args=[event.pk, tab]), **HX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="event-tabs">'), tab
        assert "HX-Request" in response["Vary"]
    assert c.get(reverse("events:tab", args=[event.pk, "nope"])).status_code == 404


def test_evaluate_form(users, client_for, event):
    c = client_for(users["marketer"])
    services.event_screen(event, by=users["marketer"], accept=True)
    data = {f"score_{k}": v for k, v in SCORES.items()}
    data.update({"check_competitor_present": "yes", "check_organiser_background": "no",
                 "check_past_influence": "unknown", "check_business_value": "yes",
                 "check_cost_effective": "yes", "note": "Strong speaker list"})
    assert c.post(reverse("events:evaluate", args=[event.pk]), data).status_code == 302
    event.refresh_from_db()
    assert (event.score, event.check_organiser_background, event.evaluation_note) == (
        Decimal("50.00"), "no", "Strong speaker list")
    data["score_other"] = "9"
    response = c.post(reverse("events:evaluate", args=[event.pk]), data)
    assert response.status_code == 400
    assert "Select a valid choice. 9 is not one of the available choices." in \
        response.content.decode()


def test_decide_form_starts_the_process_and_shows_the_panel(users, client_for, event):
    event = evaluated(event, users["marketer"])
    c = client_for(users["team_leader"])
    response = c.post(reverse("events:decide", args=[event.pk]), {
        "decision": "go", "event_type": "summit", "our_role": "speak", "priority": "P1",
        "important": "on"})
    assert response.status_code == 302
    run = ProcessRun.objects.get()
    assert (run.definition.key, run.stage) == ("event-summit", "decision")
    page = c.get(event.get_absolute_url()).content.decode()
    assert f'id="sop-panel-{run.pk}"' in page and f'id="sop-timeline-{run.pk}"' in page
    response = c.post(reverse("events:decide", args=[event.pk]), {
        "decision": "go", "event_type": "", "our_role": "speak", "priority": "P1"})
    assert response.status_code == 400
    assert "Choose the event type: it decides the process the event follows." in \
        response.content.decode()


# --- records and sections -----------------------------------------------------------------

def test_cost_lines_and_budget(users, client_for, event):
    c = client_for(users["marketer"])
    assert c.post(reverse("events:section_edit", args=[event.pk, "plan"]),
                  {"plan": "## Goal\n200 leads", "budget": "10000"}).status_code == 302
    assert c.post(reverse("events:child_create", args=[event.pk, "costs"]), {
        "category": "venue", "description": "Hall B", "planned_amount": "8000",
        "actual_amount": "12000.50"}).status_code == 302
    page = c.get(reverse("events:tab", args=[event.pk, "costs"])).content.decode()
    assert '<div class="fs-5" data-testid="budget">10000.00</div>' in page
    assert '<div class="fs-5 text-danger" data-testid="spent">12000.50</div>' in page
    assert 'data-testid="planned">8000.00</div>' in page
    assert '<div class="fs-5" data-testid="left">-2000.50</div>' in page
    assert "Spending exceeds the budget." in page


def test_a_task_owner_must_be_in_the_team(users, client_for, event, team_b, make_user):
    outsider = make_user("marketer", username="outsider", teams=[team_b])
    c = client_for(users["marketer"])
    response = c.post(reverse("events:child_create", args=[event.pk, "tasks"]), {
        "title": "Print roll-ups", "owner": outsider.pk, "priority": "P1"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert m.ExecutionTask.objects.count() == 0


def test_registrations_entered_from_the_tab(users, client_for, event):
    c = client_for(users["marketer"])
    url = reverse("events:registration_add", args=[event.pk])
    response = c.post(url, {"day": "2027-06-01", "channel": "官网", "count": "12"}, **HX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="event-tabs">')
    c.post(url, {"day": "2027-06-01", "channel": "官网", "count": "15"}, **HX)
    assert list(event.registrations.values_list("channel", "count")) == [("官网", 15)]
    response = c.post(url, {"day": "", "channel": "官网", "count": "-1"}, **HX)
    assert response.status_code == 400
    assert event.registrations.count() == 1


def test_retrospective_and_leads_pages(users, client_for, event):
    c = client_for(users["marketer"])
    services.leads.create(by=users["marketer"], event=event, name="Li Lei", phone="13800000000")
    assert c.post(reverse("events:retrospective_open", args=[event.pk])).status_code == 302
    assert m.Retrospective.objects.get(event=event).leads == 1
    lead = event.leads.get()
    response = c.post(reverse("events:leads_hand", args=[event.pk]),
                      {"to": users["sales"].pk, "leads": [lead.pk]})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.assigned_to == users["sales"]
    assert c.post(reverse("events:retrospective_edit", args=[event.pk]),
                  {"strengths": "Packed room", "weaknesses": "", "overall_value": "High",
                   "improvements": ""}).status_code == 302
    page = c.get(reverse("events:tab", args=[event.pk, "retrospective"])).content.decode()
    assert "<p>Packed room</p>" in page


# --- import page --------------------------------------------------------------------------

def test_import_page_reports_every_bad_row_and_writes_nothing(users, client_for, team_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(users["marketer"])
    data = ("活动名称,开始日期,结束日期\n好活动,2027-05-01,2027-05-02\n"
            "=1+1,2027-05-01,2027-05-02\n坏日期,2027-05-40,\n").encode("gb18030")
    response = c.post(reverse("events:import"), {
        "team": team_a.pk, "file": SimpleUploadedFile("机会.csv", data, "text/csv")})
    body = response.content.decode()
    assert response.status_code == 422
    assert "2 problems in 3 rows: nothing was written." in body
    assert "<tr><td>3</td><td>活动名称</td><td>looks like a spreadsheet formula</td></tr>" in body
    assert ("<tr><td>4</td><td>开始日期</td><td>“2027-05-40” is not a date (write "
            "2026-05-20)</td></tr>") in body
    assert m.Event.objects.count() == 0
    response = c.post(reverse("events:import"), {
        "team": team_a.pk, "skip_bad_rows": "on",
        "file": SimpleUploadedFile("机会.csv", data, "text/csv")})
    assert response.status_code == 200
    assert "1 of 3 rows written (read as gb18030)." in response.content.decode()
    assert list(m.Event.objects.values_list("name", flat=True)) == ["好活动"]


def test_import_into_another_team_is_refused(users, client_for, team_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(users["marketer"])
    response = c.post(reverse("events:import"), {
        "team": team_b.pk, "file": SimpleUploadedFile("a.csv", b"name,start date\nA,2027-01-01\n")})
    assert response.status_code == 400  # team B is not a choice for this user
    assert m.Event.objects.count() == 0


# --- agenda, report, weights ----------------------------------------------------------------

def test_agenda_page_and_markdown_export(users, client_for, team_a, event):
    c = client_for(users["team_leader"])
    response = c.get(reverse("events:agenda"), {"team": team_a.pk, "week": "2027-03-10"})
    assert response.status_code == 200
    assert "Weekly event evaluation — Growth, week of 2027-03-08" in response.content.decode()
    partial = c.get(reverse("events:agenda"), {"team": team_a.pk, "week": "2027-03-10"}, **HX)
    assert partial.content.decode().lstrip().startswith('<article id="agenda"')
    export = c.get(reverse("events:agenda_markdown"), {"team": team_a.pk, "week": "2027-03-10"})
    assert export["Content-Type"] == "text/markdown; charset=utf-8"
    assert export["Content-Disposition"] == (
        'attachment; filename="evaluation-meeting-growth-2027-03-08.md"')
    assert export.content.decode().splitlines()[0] == (
        "# Weekly event evaluation — Growth, week of 2027-03-08")


def test_agenda_of_another_team_is_refused(users, client_for, team_b):
    c = client_for(users["marketer"])
    assert c.get(reverse("events:agenda"), {"team": team_b.pk, "week": "2027-03-10"}).status_code \
        == 200  # the invalid choice falls back to the user's own team
    assert "week of" in c.get(reverse("events:agenda")).content.decode()


def test_daily_report_export(users, client_for, event):
    services.registration_set(event, by=users["marketer"], day=dt.date(2027, 6, 1),
                              channel="官网", count=7)
    c = client_for(users["reviewer"])
    response = c.get(reverse("events:daily_report_markdown", args=[event.pk]), {"day": "2027-06-01"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="event-{event.pk}-daily-2027-06-01.md"')
    assert response.content.decode().splitlines() == [
        "# Daily effect report — Cloud Native Summit, 2027-06-01", "",
        "Event on 2027-06-10 · — · P2", "",
        "| Channel | Today | Cumulative |", "|---|---:|---:|",
        "| 官网 | 7 | 7 |", "| **Total** | **7** | **7** |"]
    page = c.get(reverse("events:daily_report", args=[event.pk]), {"day": "2027-06-01"})
    assert "<tr><td>官网</td><td class=\"text-end\">7</td><td class=\"text-end\">7</td></tr>" in \
        page.content.decode()


def test_weights_are_for_leaders(users, client_for, team_a, event):
    marketer = client_for(users["marketer"])
    url = reverse("events:weights", args=[team_a.pk])
    assert marketer.get(url).status_code == 200
    assert marketer.post(url, {"topic_fit": "3"}).status_code == 403
    leader = client_for(users["team_leader"])
    data = {"topic_fit": "3", "organiser": "2", "attendees": "1", "cost_effectiveness": "1",
            "references": "1", "other": "0"}
    assert leader.post(url, data).status_code == 302
    assert services.weights_for(team_a.pk)["topic_fit"] == Decimal("3.00")
    response = leader.post(url, {**data, **dict.fromkeys(data, "0")})
    assert response.status_code == 400
    assert "At least one weight must be greater than zero." in response.content.decode()


def test_home_summary_counts(users, client_for, event, team_a, marketer):
    accepted = make_event(team_a, marketer, name="accepted")
    evaluated(accepted, marketer)
    page = client_for(users["sales"]).get("/").content.decode()
    assert "New event opportunities" in page and "Events awaiting a decision" in page


def test_list_page_query_count_does_not_grow(users, client_for, team_a, marketer,
                                             django_assert_max_num_queries):
    for i in range(30):
        make_event(team_a, marketer, name=f"Event {i}")
    c = client_for(users["marketer"])
    with django_assert_max_num_queries(12):
        assert c.get(reverse("events:list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get(reverse("events:board")).status_code == 200
