"""The event services (O3–O10): intake, screening, evaluation, decisions that start and
reschedule the SOP run, registrations against the curve, leads, the retrospective."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from marketdesk.core.models import AuditEntry
from marketdesk.events import models as m
from marketdesk.events import services
from marketdesk.notify.models import Notification
from marketdesk.sop import services as sop
from marketdesk.sop.models import Deadline, ProcessRun

from .conftest import make_event

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SCORES = {"topic_fit": 5, "organiser": 4, "attendees": 3, "cost_effectiveness": 2,
          "references": 1, "other": 0}
ALL_CHECKS = {"competitor_present": "yes", "organiser_background": "yes",
              "past_influence": "no", "business_value": "yes", "cost_effective": "yes"}


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def audit_rows(obj, action):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk), action=action)


def evaluated(event, by, checks=ALL_CHECKS):
    services.event_screen(event, by=by, accept=True)
    event.refresh_from_db()
    return services.event_evaluate(event, by=by, scores=SCORES, checks=checks)


def deadline(run, key):
    return Deadline.objects.get(run=run, key=key)


# --- intake (O3) ---------------------------------------------------------------------------

def test_create_records_the_opportunity_owned_by_its_creator(event, marketer, team_a):
    assert (event.team, event.owner, event.screening, event.decision) == (
        team_a, marketer, "new", "pending")
    assert (event.start_date, event.end_date, event.price) == (
        dt.date(2027, 6, 10), dt.date(2027, 6, 11), Decimal("20000.00"))
    entry = audit_rows(event, "create").get()
    assert entry.actor == marketer
    assert entry.changes["after"]["name"] == "Cloud Native Summit"


def test_one_day_event_ends_on_its_start_date(team_a, marketer):
    event = make_event(team_a, marketer, end_date=None)
    assert event.end_date == dt.date(2027, 6, 10)


def test_end_before_start_is_refused_and_nothing_written(team_a, marketer):
    with pytest.raises(ValidationError) as exc:
        make_event(team_a, marketer, end_date=dt.date(2027, 6, 9))
    assert exc.value.message_dict == {"end_date": ["The end date cannot be before the start date."]}
    assert m.Event.objects.count() == 0


def test_owner_must_belong_to_the_team(team_a, team_b, marketer, make_user):
    outsider = make_user("marketer", username="outsider", teams=[team_b])
    with pytest.raises(ValidationError) as exc:
        make_event(team_a, marketer, owner_id=outsider.pk)
    assert exc.value.message_dict == {"owner": ["Choose an active member of the event's team."]}


def test_decisions_cannot_be_set_through_plain_create_or_edit(team_a, marketer, event):
    with pytest.raises(ValidationError) as exc:
        make_event(team_a, marketer, decision="go")
    assert exc.value.message_dict == {
        "decision": ["Set this through screening, evaluation or the decision."]}
    with pytest.raises(ValidationError) as exc:
        services.events.update(event, by=marketer, score=Decimal("99"), screening="accepted")
    assert exc.value.message_dict == {"score": ["This cannot be changed here."],
                                      "screening": ["This cannot be changed here."]}


# --- first screening (O3) ------------------------------------------------------------------

def test_screen_accept(event, marketer):
    event = services.event_screen(event, by=marketer, accept=True)
    assert (event.screening, event.rejection_reason, event.screened_by) == (
        "accepted", "", marketer)
    assert audit_rows(event, "update").last().changes == {
        "before": {"screening": "new", "screened_at": None, "screened_by_id": None},
        "after": {"screening": "accepted", "screened_at": event.screened_at.isoformat(),
                  "screened_by_id": marketer.pk}}


def test_reject_needs_a_reason(event, marketer):
    with pytest.raises(ValidationError) as exc:
        services.event_screen(event, by=marketer, accept=False, reason="  ")
    assert exc.value.message_dict == {
        "rejection_reason": ["Give the reason for rejecting the opportunity."]}
    event.refresh_from_db()
    assert event.screening == "new"
    event = services.event_screen(event, by=marketer, accept=False, reason="Audience is B2C")
    assert (event.screening, event.rejection_reason) == ("rejected", "Audience is B2C")


# --- evaluation (O4) -----------------------------------------------------------------------

def test_evaluate_needs_acceptance_first(event, marketer):
    with pytest.raises(ValidationError) as exc:
        services.event_evaluate(event, by=marketer, scores=SCORES)
    assert exc.value.messages == [
        "Accept the opportunity at the first screening before evaluating it."]


def test_evaluate_computes_the_weighted_score_with_default_weights(event, marketer):
    event = evaluated(event, marketer)
    assert event.score == Decimal("50.00")  # (5+4+3+2+1+0) / 6 × 20
    assert event.check_answers() == ALL_CHECKS
    assert event.evaluated_by == marketer


def test_evaluate_refuses_out_of_range_scores(event, marketer):
    services.event_screen(event, by=marketer, accept=True)
    event.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.event_evaluate(event, by=marketer, scores={**SCORES, "other": 7})
    assert exc.value.message_dict == {"score_other": ["A score is a whole number from 0 to 5."]}


def test_team_weights_rescore_the_team_and_are_validated(event, marketer, leader, team_a,
                                                         team_b, make_user):
    event = evaluated(event, marketer)
    brand = make_user("marketer", username="brand-marketer", teams=[team_b])
    other_team = evaluated(make_event(team_b, brand), brand)
    row = services.weights_set(team_a, by=leader, topic_fit=Decimal(3), organiser=Decimal(2),
                               other=Decimal(0))
    assert row.as_dict() == {"topic_fit": 3, "organiser": 2, "attendees": 1,
                             "cost_effectiveness": 1, "references": 1, "other": 0}
    event.refresh_from_db()
    other_team.refresh_from_db()
    assert event.score == Decimal("72.50")  # 29 / 8 × 20
    assert other_team.score == Decimal("50.00")  # team B keeps equal weights
    with pytest.raises(ValidationError) as exc:
        services.weights_set(team_a, by=leader, topic_fit=Decimal(-1))
    assert exc.value.message_dict == {"topic_fit": ["A weight cannot be negative."]}
    with pytest.raises(ValidationError) as exc:
        services.weights_set(team_a, by=leader, **{k: Decimal(0) for k in SCORES})
    assert exc.value.messages == ["At least one weight must be greater than zero."]
    assert services.weights_for(team_a.pk)["topic_fit"] == Decimal(3)


# --- decisions (O5) and the SOP run --------------------------------------------------------

def test_decide_to_take_part_starts_the_run_of_the_type(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon",
                                  priority="P1")
    run = services.run_of(event)
    assert (run.definition.key, run.team_id, run.status) == ("event-salon", event.team_id,
                                                             "active")
    # intake and evaluation were done in the events app: the run waits for the
    # director's evaluation at the decision stage, every evaluation standard ticked
    assert run.stage == "decision"
    assert set(run.ticks.filter(stage="evaluation", checked=True).values_list("key", flat=True)) \
        == {"competitors", "organiser", "history", "business_value", "cost_effectiveness"}
    assert (event.decision, event.event_type, event.priority, event.decided_by) == (
        "go", "salon", "P1", leader)


def test_each_type_chooses_its_own_definition(event, marketer, leader):
    event = evaluated(event, marketer)
    services.event_decide(event, by=leader, decision="go", event_type="exhibition")
    assert services.run_of(event).definition.key == "event-exhibition"


def test_a_check_left_unknown_keeps_the_run_at_evaluation(event, marketer, leader):
    event = evaluated(event, marketer, checks={**ALL_CHECKS, "business_value": "unknown"})
    services.event_decide(event, by=leader, decision="go", event_type="salon")
    run = services.run_of(event)
    assert run.stage == "evaluation"
    assert set(run.ticks.values_list("key", flat=True)) == {
        "competitors", "organiser", "history", "cost_effectiveness"}


def test_taking_part_needs_acceptance_and_a_type(event, marketer, leader):
    with pytest.raises(ValidationError) as exc:
        services.event_decide(event, by=leader, decision="go", event_type="salon")
    assert exc.value.messages == [
        "Accept the opportunity at the first screening before deciding on it."]
    event = evaluated(event, marketer)
    with pytest.raises(ValidationError) as exc:
        services.event_decide(event, by=leader, decision="go")
    assert exc.value.message_dict == {"event_type": [
        "Choose the event type: it decides the process the event follows."]}
    assert ProcessRun.objects.count() == 0


def test_moving_the_dates_moves_the_deadlines(event, marketer, leader):
    event = evaluated(event, marketer)
    services.event_decide(event, by=leader, decision="go", event_type="salon", priority="P1")
    run = services.run_of(event)
    assert deadline(run, "planning").due_at == end_of_day(dt.date(2027, 5, 11))  # start −30d
    assert deadline(run, "retrospective").due_at == end_of_day(dt.date(2027, 6, 16))  # end +5d
    event.refresh_from_db()
    services.events.update(event, by=marketer, start_date=dt.date(2027, 7, 10),
                           end_date=dt.date(2027, 7, 12))
    assert deadline(run, "planning").due_at == end_of_day(dt.date(2027, 6, 10))
    assert deadline(run, "execution_plan").due_at == end_of_day(dt.date(2027, 6, 26))
    assert deadline(run, "retrospective").due_at == end_of_day(dt.date(2027, 7, 17))


def test_changing_the_priority_reschedules_the_retrospective(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon",
                                  priority="P1")
    run = services.run_of(event)
    services.event_decide(event, by=leader, decision="go", event_type="salon", priority="P3")
    assert deadline(run, "retrospective").due_at == end_of_day(dt.date(2027, 6, 13))  # end +2d


def test_the_type_cannot_change_once_the_process_runs(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon")
    with pytest.raises(ValidationError) as exc:
        services.event_decide(event, by=leader, decision="go", event_type="summit")
    assert exc.value.message_dict == {"event_type": [
        "The event's process already started as “Small: salon”; the type cannot change."]}


def test_declining_a_running_event_cancels_its_process_with_the_reason(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon")
    run = services.run_of(event)
    with pytest.raises(ValidationError) as exc:
        services.event_decide(event, by=leader, decision="no_go")
    assert exc.value.message_dict == {"decision_note": [
        "The event's process is running: say why it stops."]}
    services.event_decide(event, by=leader, decision="no_go", note="Budget frozen")
    run.refresh_from_db()
    assert (run.status, run.cancel_reason) == ("cancelled", "Budget frozen")
    assert services.run_of(event) is None


def test_deleting_an_event_stops_its_process(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon")
    run = services.run_of(event)
    services.events.delete(event, by=leader)
    run.refresh_from_db()
    assert (run.status, run.cancel_reason) == ("cancelled", "The event was deleted.")
    assert m.Event.objects.count() == 0


# --- warm-up (O8) --------------------------------------------------------------------------

@pytest.fixture
def warming(event, marketer, leader):
    event = evaluated(event, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="summit",
                                  important=True)
    return services.events.update(
        event, by=marketer, start_date=dt.date(2027, 6, 15), end_date=dt.date(2027, 6, 15),
        registration_target=150, warmup_start=dt.date(2027, 6, 1), curve_exponent=Decimal(1),
        curve_tolerance=Decimal(20))


def curve_notes(event):
    return Notification.objects.filter(kind="events.registrations_below_curve",
                                       recipient=event.owner)


def test_below_the_curve_alerts_the_owner_once_a_day(warming, marketer):
    # day 4 of 15: 40 expected, alert below 32 — 35 is fine
    services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 4), channel="官网",
                              count=35)
    assert curve_notes(warming).count() == 0
    # day 5 of 15: 50 expected, alert below 40 — 35 + 4 = 39 is not
    services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 5), channel="公众号",
                              count=4)
    note = curve_notes(warming).get()
    assert note.title == "Registrations for “Cloud Native Summit” are below the expected curve"
    assert note.body == ("2027-06-05: 39 registrations so far, 50.00 expected (alert below "
                         "40.00). Step up the publicity plan.")
    assert (note.url, note.dedupe_key) == (f"/events/{warming.pk}/registrations/",
                                           f"events:curve:{warming.pk}:2027-06-05")
    services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 5), channel="社群",
                              count=0)
    assert curve_notes(warming).count() == 1


def test_on_the_curve_there_is_no_alert(warming, marketer):
    services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 5), channel="官网",
                              count=40)
    assert curve_notes(warming).count() == 0
    status = services.curve_status(warming, day=dt.date(2027, 6, 5))
    assert (status.actual, status.expected, status.below) == (40, Decimal("50.00"), False)


def test_entering_a_day_and_channel_again_corrects_it(warming, marketer):
    first = services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 5),
                                      channel="官网", count=10)
    second = services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 5),
                                       channel="官网", count=45)
    assert first.pk == second.pk
    assert services.registration_total(warming) == 45
    assert audit_rows(second, "update").get().changes == {"before": {"count": 10},
                                                          "after": {"count": 45}}


def test_the_daily_scheduler_check(warming, marketer):
    services.registration_set(warming, by=marketer, day=dt.date(2027, 6, 2), channel="官网",
                              count=5)  # day 2: 20 expected, so already an alert for 06-02
    # 2027-06-05 09:00 in Shanghai: day 5, 5 registrations against 50 expected
    sent = services.curve_alerts_run(now=dt.datetime(2027, 6, 5, 1, 0, tzinfo=dt.UTC))
    assert [(event.pk, status.day, status.actual) for event, status in sent] == [
        (warming.pk, dt.date(2027, 6, 5), 5)]
    assert services.curve_alerts_run(now=dt.datetime(2027, 6, 5, 2, 0, tzinfo=dt.UTC))[0][0] \
        == warming
    assert list(curve_notes(warming).order_by("id").values_list("dedupe_key", flat=True)) == [
        f"events:curve:{warming.pk}:2027-06-02", f"events:curve:{warming.pk}:2027-06-05"]
    assert services.curve_alerts_run(now=dt.datetime(2027, 5, 20, 1, 0, tzinfo=dt.UTC)) == []


# --- leads and the retrospective (O10) -----------------------------------------------------

def test_hand_leads_to_sales_assigns_and_notifies(event, marketer, users, make_user, team_b):
    lead = services.leads.create(by=marketer, event=event, name="Li Lei", company="Acme",
                                 phone="+86 138 0000 0000")
    other = services.leads.create(by=marketer, event=event, name="Han Meimei",
                                  email="han@example.com")
    sales = users["sales"]
    assert services.leads_hand_to_sales(event, [lead.pk, other.pk], to=sales, by=marketer) == 2
    lead.refresh_from_db()
    assert lead.assigned_to == sales and lead.handed_at is not None
    note = Notification.objects.get(recipient=sales, kind="events.leads_handed")
    assert note.title == "2 leads from “Cloud Native Summit” are yours to follow up"
    assert note.body == "Li Lei (Acme)\nHan Meimei"
    with pytest.raises(ValidationError) as exc:
        services.leads_hand_to_sales(event, [lead.pk], to=marketer, by=marketer)
    assert exc.value.message_dict == {"assigned_to": ["Choose a sales member of the event's team."]}
    foreign_sales = make_user("sales", username="sales-b", teams=[team_b])
    with pytest.raises(ValidationError):
        services.leads_hand_to_sales(event, [lead.pk], to=foreign_sales, by=marketer)


def test_a_lead_needs_a_phone_or_an_email(event, marketer):
    with pytest.raises(ValidationError) as exc:
        services.leads.create(by=marketer, event=event, name="Nobody")
    assert exc.value.message_dict == {"phone": ["Give a phone number or an email address."]}


@pytest.fixture
def with_numbers(event, marketer, users):
    """Budget 50,000; three cost lines; 245 registrations; 180 attended; 7 leads, 2 handed."""
    event = services.events.update(event, by=marketer, budget=Decimal("50000"),
                                   registration_target=300, expected_attendees=200,
                                   actual_attendance=180)
    for category, description, planned, actual in [
            ("fee", "Sponsorship", "20000", "21500.50"), ("booth", "Booth build", "15000", "14000"),
            ("gifts", "Gifts", "8000", None)]:
        services.cost_lines.create(by=marketer, event=event, category=category,
                                   description=description, planned_amount=Decimal(planned),
                                   actual_amount=Decimal(actual) if actual else None)
    for day, channel, count in [(dt.date(2027, 6, 1), "官网", 120),
                                (dt.date(2027, 6, 2), "公众号", 80),
                                (dt.date(2027, 6, 3), "官网", 45)]:
        services.registration_set(event, by=marketer, day=day, channel=channel, count=count)
    leads = [services.leads.create(by=marketer, event=event, name=f"Lead {i}",
                                   email=f"lead{i}@example.com") for i in range(7)]
    services.leads_hand_to_sales(event, [leads[0].pk, leads[1].pk], to=users["sales"],
                                 by=marketer)
    return event


def test_retrospective_is_prefilled_with_exact_numbers(with_numbers, marketer):
    retro = services.retrospective_open(with_numbers, by=marketer)
    assert (retro.budget, retro.planned_spend, retro.actual_spend) == (
        Decimal("50000.00"), Decimal("43000.00"), Decimal("35500.50"))
    assert (retro.registrations, retro.registration_target) == (245, 300)
    assert (retro.attendance, retro.attendance_target) == (180, 200)
    assert (retro.leads, retro.leads_handed) == (7, 2)
    assert retro.cost_per_lead == Decimal("5071.50")  # 35,500.50 / 7
    assert retro.spend_vs_budget == Decimal("-14499.50")
    assert services.retrospective_open(with_numbers, by=marketer).pk == retro.pk
    note = Notification.objects.get(kind="events.retrospective_open", recipient=marketer)
    assert note.title == "The retrospective of “Cloud Native Summit” is open"


def test_no_lead_means_no_cost_per_lead(event, marketer):
    retro = services.retrospective_open(event, by=marketer)
    assert (retro.leads, retro.cost_per_lead, retro.actual_spend) == (0, None, Decimal("0.00"))


def test_retrospective_refresh_and_texts(with_numbers, marketer):
    retro = services.retrospective_open(with_numbers, by=marketer)
    services.leads.create(by=marketer, event=with_numbers, name="Late lead", phone="13800000000")
    retro = services.retrospective_refresh(retro, by=marketer)
    assert (retro.leads, retro.cost_per_lead) == (8, Decimal("4437.56"))  # 35,500.50 / 8
    retro = services.retrospective_update(retro, by=marketer, strengths="Great booth traffic")
    assert retro.strengths == "Great booth traffic"
    with pytest.raises(ValidationError) as exc:
        services.retrospective_update(retro, by=marketer, leads=99)
    assert exc.value.message_dict == {"leads": ["The numbers are taken from the event's records."]}


def test_series_summary_adds_up_its_events(with_numbers, team_a, marketer):
    series = services.series.create(by=marketer, team=team_a, name="Developer salons 2027")
    services.events.update(with_numbers, by=marketer, series_id=series.pk)
    second = make_event(team_a, marketer, name="Salon Hangzhou", series_id=series.pk,
                        budget=Decimal("10000"))
    services.cost_lines.create(by=marketer, event=second, description="Venue",
                               planned_amount=Decimal("9000"), actual_amount=Decimal("9000"))
    services.leads.create(by=marketer, event=second, name="A", phone="13800000001")
    summary = services.series_summary(series)
    assert [row.event.name for row in summary.rows] == ["Cloud Native Summit", "Salon Hangzhou"]
    assert (summary.events, summary.budget, summary.actual_spend) == (
        2, Decimal("60000.00"), Decimal("44500.50"))
    assert (summary.registrations, summary.registration_target, summary.attendance,
            summary.leads) == (245, 300, 180, 8)
    assert summary.cost_per_lead == Decimal("5562.56")  # 44,500.50 / 8 = 5,562.5625


def test_series_of_another_team_is_refused(event, marketer, team_b):
    series = services.series.create(by=None, team=team_b, name="Brand tour")
    with pytest.raises(ValidationError) as exc:
        services.events.update(event, by=marketer, series_id=series.pk)
    assert exc.value.message_dict == {"series": ["The series belongs to another team."]}


def _walk(run, event, users, until):
    """Drive the run stage by stage (ticking, approving with the right roles) until it
    enters ``until``."""
    by_role = {"director": users["director"], "team_leader": users["team_leader"],
               "reviewer": users["reviewer"]}
    while run.stage != until:
        for item in run.definition.parsed.stage(run.stage).checklist:
            run = sop.run_tick(run, item_key=item.key, checked=True, by=users["marketer"],
                               expected_version=run.version)
        state = sop.run_state(run, users["marketer"])
        for step in state.reviews:
            run.refresh_from_db()
            sop.run_review(run, decision="approved", by=by_role[step.role],
                           expected_version=run.version)
        run.refresh_from_db()
        run = sop.run_advance(run, by=users["marketer"], expected_version=run.version)
    return run


def test_reaching_the_retrospective_stage_opens_it(with_numbers, users):
    marketer, leader = users["marketer"], users["team_leader"]
    event = evaluated(with_numbers, marketer)
    event = services.event_decide(event, by=leader, decision="go", event_type="salon",
                                  priority="P2")
    services.events.update(event, by=marketer, plan="Goal: 200 developer leads")
    services.tasks.create(by=marketer, event=event, title="Book the venue", owner=marketer)
    assert not m.Retrospective.objects.filter(event=event).exists()
    run = _walk(services.run_of(event), event, users, until="retrospective")
    retro = m.Retrospective.objects.get(event=event)
    assert (retro.actual_spend, retro.leads, retro.cost_per_lead) == (
        Decimal("35500.50"), 7, Decimal("5071.50"))
    # its required field is the written retrospective
    run.refresh_from_db()
    assert sop.run_state(run, marketer).missing_fields == ("Retrospective",)
    services.retrospective_update(retro, by=marketer, overall_value="Worth repeating")
    assert sop.run_state(run, marketer).missing_fields == ()


def test_the_scheduler_opens_retrospectives_on_day_n_plus_x(event, marketer, leader):
    event = evaluated(event, marketer)
    services.event_decide(event, by=leader, decision="go", event_type="salon", priority="P1")
    # ends 2027-06-11, P1 → N+5 = 2027-06-16 (Shanghai)
    assert services.retrospectives_open_due(
        now=dt.datetime(2027, 6, 15, 23, 30, tzinfo=SHANGHAI)) == []
    opened = services.retrospectives_open_due(now=dt.datetime(2027, 6, 16, 0, 30, tzinfo=SHANGHAI))
    assert [r.event_id for r in opened] == [event.pk]
    assert services.retrospectives_open_due(
        now=dt.datetime(2027, 6, 17, 9, 0, tzinfo=SHANGHAI)) == []
