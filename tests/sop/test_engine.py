"""The engine's gates, transitions, reviews, audit trail and optimistic locking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from marketdesk.core.models import AuditEntry
from marketdesk.notify.models import Notification
from marketdesk.sop import services
from marketdesk.sop.models import Deadline, ProcessRun, Review
from tests.sop.conftest import ALL_FIELDS, pass_stage, shipped_text


def refused(call, **kwargs) -> services.TransitionRefused:
    with pytest.raises(services.TransitionRefused) as caught:
        call(**kwargs)
    return caught.value


def reviewers(users):
    return {"director": users["director"], "team_leader": users["team_leader"], "reviewer": users["reviewer"]}


def test_run_start_pins_the_version_enters_the_first_stage_and_audits(salon, users):
    item, run = salon
    assert (run.stage, run.status, run.version) == ("intake", "active", 1)
    assert run.definition.key == "test-event-salon"
    created = AuditEntry.objects.get(action="create", content_type__model="processrun")
    assert (created.actor, created.message, created.root_id) == (users["marketer"], "test-event-salon v1", str(item.pk))
    assert created.changes["after"]["stage"] == "intake"


def test_the_gate_names_open_standards_missing_fields_and_pending_reviews(salon, users, adapter):
    item, run = salon
    marketer = users["marketer"]
    adapter.set(item, fields={})
    run = services.run_advance(run, by=marketer, expected_version=1)
    assert run.stage == "evaluation"
    exc = refused(services.run_advance, run=run, by=marketer, expected_version=run.version)
    assert exc.reason == "“Event evaluation (weekly meeting)” cannot be left yet:"
    assert exc.details == [
        "open checklist items: Are competitors taking part?, The organiser's background, "
        "The event's past influence, The business department's view of its customer-acquisition value, "
        "Cost-effectiveness",
        "missing: Evaluation score",
    ]
    for key in ("competitors", "organiser", "history", "business_value", "cost_effectiveness"):
        run = services.run_tick(run, item_key=key, checked=True, by=marketer, expected_version=run.version)
    adapter.set(item, fields={"score": 71})
    run = services.run_advance(run, by=marketer, expected_version=run.version)
    exc = refused(services.run_advance, run=run, by=marketer, expected_version=run.version)
    assert exc.details == ["missing: Priority (P0–P3)", "reviews pending: Marketing director's evaluation"]
    assert exc.code == "gate"


def test_the_gate_speaks_chinese(salon, users):
    from django.utils import translation

    _item, run = salon
    run = services.run_advance(run, by=users["marketer"], expected_version=1)
    with translation.override("zh-hans"):
        exc = refused(services.run_advance, run=run, by=users["marketer"], expected_version=run.version)
    assert exc.details[0].endswith("竞品是否参与, 主办方背景, 活动历史影响力, 业务部门评估拓客价值, 性价比")


def _to_decision(run, users):
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = pass_stage(run, users["marketer"], reviewers(users))
    assert run.stage == "decision"
    services.run_review(run, decision="approved", by=users["director"], expected_version=run.version)
    run.refresh_from_db()
    return run


def test_illegal_transitions_are_refused_with_the_reason(salon, users, adapter):
    item, run = salon
    marketer = users["marketer"]
    run = _to_decision(run, users)
    exc = refused(services.run_advance, run=run, to_stage="warmup", by=marketer, expected_version=run.version)
    assert exc.reason == ("“Warm-up and recruitment” does not follow “Decide: take part? host? free? heavyweight? "
                          "important?” (it may move to: Rights negotiation, Event plan (at least one month ahead)).")
    exc = refused(services.run_advance, run=run, to_stage="rights_negotiation", by=marketer,
                  expected_version=run.version)
    assert exc.reason == "“Rights negotiation” applies only when “Paid event (not free)”."
    exc = refused(services.run_advance, run=run, to_stage="nope", by=marketer, expected_version=run.version)
    assert exc.reason == "There is no stage “nope” in this process."

    adapter.set(item, flags={"paid": True})
    exc = refused(services.run_advance, run=run, to_stage="planning", by=marketer, expected_version=run.version)
    assert exc.reason == ("Moving to “Event plan (at least one month ahead)” would skip “Rights negotiation”, "
                          "which applies to this item.")
    assert AuditEntry.objects.filter(action="transition").count() == 2  # intake→, evaluation→; none refused
    run = services.run_advance(run, by=marketer, expected_version=run.version)
    assert run.stage == "rights_negotiation"


def test_the_paid_path_runs_in_order_and_the_free_path_skips_it(salon, users, adapter):
    item, run = salon
    adapter.set(item, flags={"paid": True})
    run = _to_decision(run, users)
    stages = []
    while run.stage != "planning":
        run = pass_stage(run, users["marketer"], reviewers(users))
        stages.append(run.stage)
    assert stages == ["rights_negotiation", "rights_confirmed", "contract", "payment", "planning"]
    moves = [(e.changes["before"]["stage"], e.changes["after"]["stage"])
             for e in AuditEntry.objects.filter(action="transition").order_by("id")]
    assert moves == [("intake", "evaluation"), ("evaluation", "decision"), ("decision", "rights_negotiation"),
                     ("rights_negotiation", "rights_confirmed"), ("rights_confirmed", "contract"),
                     ("contract", "payment"), ("payment", "planning")]


def test_a_free_event_goes_from_decision_straight_to_planning(salon, users):
    _item, run = salon
    run = _to_decision(run, users)
    run = services.run_advance(run, by=users["marketer"], expected_version=run.version)
    assert run.stage == "planning"


def test_review_by_the_wrong_role_or_by_the_author_is_refused(salon, users, adapter, make_user):
    item, run = salon
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = pass_stage(run, users["marketer"], reviewers(users))
    exc = refused(services.run_review, run=run, decision="approved", by=users["team_leader"],
                  expected_version=run.version)
    assert exc.reason == ("This review step (Marketing director's evaluation) is for the Marketing director; "
                          "your role is Team leader.")
    assert exc.code == "reviewer"
    owning_director = make_user("director", username="owning-director")
    adapter.set(item, owner=owning_director)
    exc = refused(services.run_review, run=run, decision="approved", by=owning_director,
                  expected_version=run.version)
    assert exc.reason == "You wrote or own this item; someone else must review it."
    adapter.set(item, owner=users["marketer"], author=owning_director)
    exc = refused(services.run_review, run=run, decision="approved", by=owning_director,
                  expected_version=run.version)
    assert exc.reason == "You wrote or own this item; someone else must review it."
    assert Review.objects.get(run=run).decision == "pending"


def test_a_review_waits_for_the_checklist(salon, users):
    _item, run = salon
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = services.run_review(run, decision="approved", by=users["director"], expected_version=run.version).run
    run = services.run_advance(run, by=users["marketer"], expected_version=run.version)
    assert run.stage == "planning"
    exc = refused(services.run_review, run=run, decision="approved", by=users["director"],
                  expected_version=run.version)
    assert exc.reason == "“Event plan (at least one month ahead)” is not ready for review:"
    assert exc.details == ["open checklist items: The event's goal is clear, Time, theme and format are clear "
                           "and fit the stage plan's goals, The resources needed are reasonable (budget, people), "
                           "The expected effect is estimated and the path to it is clear"]
    assert list(services.pending_reviews_for(users["director"])) == []


def _to_final_review(run, users):
    while run.stage != "final_review":
        run = pass_stage(run, users["marketer"], reviewers(users))
    return run


def test_multi_stage_review_in_order_and_changes_requested_returns_to_the_author(salon, users, adapter):
    item, run = salon
    adapter.set(item, flags={"needs_business_review": True})
    run = _to_final_review(run, users)
    director, leader, business = users["director"], users["team_leader"], users["reviewer"]
    exc = refused(services.run_review, run=run, decision="approved", by=director, expected_version=run.version)
    assert exc.reason == ("This review step (Team leader review) is for the Team leader; your role is "
                          "Marketing director.")
    assert [r.pk for r in services.pending_reviews_for(leader)] == [Review.objects.get(step="team_leader").pk]
    assert list(services.pending_reviews_for(director)) == []

    services.run_review(run, decision="approved", by=leader, expected_version=run.version)
    run.refresh_from_db()
    assert list(services.pending_reviews_for(leader)) == []
    assert [r.step for r in services.pending_reviews_for(business)] == ["business"]
    exc = refused(services.run_review, run=run, decision="changes_requested", by=business,
                  expected_version=run.version)
    assert exc.reason == "Say what must change: a comment is required when requesting changes."

    review = services.run_review(run, decision="changes_requested", by=business,
                                 comment="Add the partner's logo to the poster.", expected_version=run.version)
    run.refresh_from_db()
    assert (review.decision, review.reviewer, review.round) == ("changes_requested", business, 1)
    assert run.stage == "final_review"
    rows = list(Review.objects.filter(run=run, stage="final_review").order_by("id")
                .values_list("step", "round", "decision"))
    assert rows == [("team_leader", 1, "approved"), ("business", 1, "changes_requested"),
                    ("team_leader", 2, "pending")]
    reopened = Deadline.objects.filter(run=run, stage="final_review", kind="review")
    assert sorted(reopened.values_list("key", "done_at")) == [
        ("final_review.review.business", None), ("final_review.review.director", None),
        ("final_review.review.team_leader", None)]
    note = Notification.objects.get(recipient=users["marketer"], kind="sop.changes_requested")
    assert note.title == f"Changes requested: {item.name}"
    assert note.body == ("reviewer asks for changes in “Business and director reviews (one day ahead)”: "
                         "Add the partner's logo to the poster.")
    exc = refused(services.run_advance, run=run, by=users["marketer"], expected_version=run.version)
    assert exc.details == ["reviews pending: Team leader review, Business-department review (one day ahead), "
                           "Marketing director review (one day ahead)"]

    for reviewer in (leader, business, director):
        services.run_review(run, decision="approved", by=reviewer, expected_version=run.version)
        run.refresh_from_db()
    run = services.run_advance(run, by=users["marketer"], expected_version=run.version)
    assert run.stage == "warmup"
    review_audit = AuditEntry.objects.filter(content_type__model="review", action="update").order_by("id")
    assert [(e.actor, e.changes["after"]["decision"]) for e in review_audit][-5:] == [
        (leader, "approved"), (business, "changes_requested"), (leader, "approved"), (business, "approved"),
        (director, "approved")]


def test_the_business_review_is_skipped_without_the_flag(salon, users):
    _item, run = salon
    run = _to_final_review(run, users)
    services.run_review(run, decision="approved", by=users["team_leader"], expected_version=run.version)
    run.refresh_from_db()
    assert [r.step for r in services.pending_reviews_for(users["director"])] == ["director"]
    assert list(services.pending_reviews_for(users["reviewer"])) == []


def test_reviewers_of_another_team_never_see_or_take_the_step(salon, users, make_user, team_b):
    _item, run = salon
    run = _to_final_review(run, users)
    other_leader = make_user("team_leader", username="leader-b", teams=[team_b])
    assert list(services.pending_reviews_for(other_leader)) == []
    with pytest.raises(PermissionDenied):
        services.run_review(run, decision="approved", by=other_leader, expected_version=run.version)


def test_stale_versions_raise_concurrent_change(salon, users):
    _item, run = salon
    marketer = users["marketer"]
    run = services.run_advance(run, by=marketer, expected_version=1)
    assert run.version == 2
    for call, kwargs in [
        (services.run_advance, {}),
        (services.run_tick, {"item_key": "competitors", "checked": True}),
        (services.run_review, {"decision": "approved"}),
    ]:
        with pytest.raises(services.ConcurrentChange) as caught:
            call(run, by=marketer, expected_version=1, **kwargs)
        assert caught.value.message == "Someone else changed this item in the meantime; reload it and try again."
    assert ProcessRun.objects.get(pk=run.pk).version == 2


def test_ticks_are_audited_and_idempotent(salon, users):
    _item, run = salon
    marketer = users["marketer"]
    run = services.run_advance(run, by=marketer, expected_version=1)
    run = services.run_tick(run, item_key="competitors", checked=True, by=marketer, expected_version=2)
    run = services.run_tick(run, item_key="competitors", checked=True, by=marketer, expected_version=3)
    run = services.run_tick(run, item_key="competitors", checked=False, by=marketer, expected_version=3)
    assert run.version == 4
    entries = AuditEntry.objects.filter(content_type__model="checklisttick").order_by("id")
    assert [(e.action, e.changes) for e in entries] == [
        ("create", {"after": {"checked": True}}),
        ("update", {"before": {"checked": True}, "after": {"checked": False}}),
    ]
    exc = refused(services.run_tick, run=run, item_key="goal", checked=True, by=marketer, expected_version=4)
    assert exc.reason == ("“goal” is not a standard of the current stage “Event evaluation (weekly meeting)”.")
    exc = refused(services.run_tick, run=run, item_key="competitors", checked=True, by=users["sales"],
                  expected_version=4)
    assert exc.reason == "Your role (Sales) may not tick the checklist."


def test_the_whole_process_completes_and_every_deadline_is_done(salon, users):
    _item, run = salon
    while run.status == "active":
        run = pass_stage(run, users["marketer"], reviewers(users))
    assert (run.stage, run.status) == ("wrap_up", "completed")
    assert {e.state for e in services.timeline(run)} == {"done"}
    last = AuditEntry.objects.filter(action="transition").order_by("id").last()
    assert last.changes == {"before": {"stage": "wrap_up", "status": "active"},
                            "after": {"stage": "wrap_up", "status": "completed"}}
    exc = refused(services.run_advance, run=run, by=users["marketer"], expected_version=run.version)
    assert exc.reason == "This process is completed; nothing more can change."


def test_cancel_needs_a_reason_and_a_leader_or_the_owner(salon, users, make_user):
    _item, run = salon
    other_marketer = make_user("marketer", username="other-marketer")
    exc = refused(services.run_cancel, run=run, by=other_marketer, reason="not relevant")
    assert exc.reason == "Your role (Marketer) may not cancel this process."
    exc = refused(services.run_cancel, run=run, by=users["marketer"], reason="  ")
    assert exc.reason == "Give a reason for cancelling."
    run = services.run_cancel(run, by=users["marketer"], reason="Screened out: no target customers attend.")
    assert (run.status, run.cancel_reason) == ("cancelled", "Screened out: no target customers attend.")
    entry = AuditEntry.objects.filter(action="transition").get()
    assert entry.changes == {"before": {"status": "active"}, "after": {"status": "cancelled"}}
    assert entry.message == "Screened out: no target customers attend."


def test_run_start_refusals(adapter, install, make_product, users, team_b):
    install(shipped_text("event-salon"))
    item = make_product()
    adapter.set(item, dates={"start": dt.date(2030, 6, 1), "end": dt.date(2030, 6, 1)}, priority="P2")
    exc = refused(services.run_start, item=item, definition_key="event-salon", by=users["marketer"])
    assert exc.reason == "“Salon (small event)” is a process for events.Event records."
    exc = refused(services.run_start, item=item, definition_key="test-event-salon", by=users["sales"])
    assert exc.reason == "Your role (Sales) may not start a process."
    other_team_item = make_product(team=team_b)
    with pytest.raises(PermissionDenied):
        services.run_start(other_team_item, definition_key="test-event-salon", by=users["marketer"])
    services.run_start(item, definition_key="test-event-salon", by=users["marketer"])
    exc = refused(services.run_start, item=item, definition_key="test-event-salon", by=users["marketer"])
    assert exc.reason == "This item already runs a process."
    assert ProcessRun.objects.count() == 1


def test_the_run_state_tells_each_user_what_they_may_do(salon, users):
    _item, run = salon
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = pass_stage(run, users["marketer"], reviewers(users))
    as_marketer = services.run_state(run, users["marketer"])
    assert (as_marketer.can_review, as_marketer.can_advance) == (False, False)
    assert as_marketer.review_blocker == ("This review step (Marketing director's evaluation) is for the Marketing "
                                          "director; your role is Marketer.")
    as_director = services.run_state(run, users["director"])
    assert (as_director.can_review, as_director.review_blocker) == (True, None)
    assert [(k, str(label), reason) for k, label, reason in as_director.next_stages] == [
        ("rights_negotiation", "Rights negotiation", "“Rights negotiation” applies only when “Paid event (not free)”."),
        ("planning", "Event plan (at least one month ahead)", None)]


def test_reviewers_are_told_when_it_is_their_turn(salon, users):
    item, run = salon
    run = pass_stage(run, users["marketer"], reviewers(users))
    assert Notification.objects.filter(kind="sop.review_requested").count() == 0
    run = pass_stage(run, users["marketer"], reviewers(users))  # evaluation → decision (no checklist)
    note = Notification.objects.get(kind="sop.review_requested")
    assert (note.recipient, note.title) == (users["director"], f"Review waiting: {item.name}")
    assert note.body == ("Marketing director's evaluation of “Decide: take part? host? free? heavyweight? "
                         "important?” is yours to take.")
    assert ALL_FIELDS["priority"] == "P1"
