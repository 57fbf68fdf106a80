"""A hypothesis state machine over the engine: random actors of random roles tick,
review, advance (to random targets), flip the item's flags and replay stale versions on
one run. A small independent model predicts which actions are legal; invariants: only
legal actions succeed, reviewers hold the step's role and are never the author or owner,
no applicable stage is ever skipped, and the audit log has exactly one "transition" row
per successful advance."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from marketdesk.accounts.services import team_create, user_create
from marketdesk.core.models import AuditEntry
from marketdesk.core.roles import EDITORS
from marketdesk.sop import services
from marketdesk.sop.models import ProcessRun, Review
from marketdesk.strategy.models import Product
from tests.sop.conftest import ALL_FIELDS, shipped_text

ACTORS = ["director", "director2", "team_leader", "team_leader2", "marketer", "marketer2", "reviewer",
          "sales", "admin"]
_counter = itertools.count()


def machine_for(adapter):
    class EngineMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.run = None

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        @initialize(paid=st.booleans(), business=st.booleans(), owner=st.sampled_from(["marketer", "director"]))
        def start(self, paid, business, owner):
            n = next(_counter)
            team = team_create(name=f"SM team {n}", slug=f"sm-team-{n}")
            self.users = {}
            for name in ACTORS:
                role = name.rstrip("2")
                self.users[name] = user_create(username=f"sm{n}-{name}", password="Correct-horse-42", role=role,
                                               teams=[] if role in ("director", "admin") else [team])
            self.item = Product.objects.create(team=team, name=f"SM item {n}")
            self.owner = self.users[owner]
            self.flags = {"paid": paid, "needs_business_review": business}
            adapter.set(self.item, dates={"start": dt.date(2031, 3, 1), "end": dt.date(2031, 3, 2)},
                        priority="P2", owner=self.owner, flags=dict(self.flags), fields=dict(ALL_FIELDS))
            self.run = services.run_start(self.item, definition_key="test-event-salon", by=self.users["marketer"])
            self.definition = self.run.definition.parsed
            # The model.
            self.stage = "intake"
            self.status = "active"
            self.version = 1
            self.ticks: dict[str, set[str]] = {}
            self.approved: set[str] = set()   # steps approved in the current round of the stage
            self.advances = 0
            self.path = ["intake"]

        # --- the model's predictions -------------------------------------------------
        def applies(self, stage_or_step) -> bool:
            when = stage_or_step.when
            return when is None or bool(self.flags.get(when.flag, False)) != when.negate

        def open_checklist(self):
            stage = self.definition.stage(self.stage)
            return [c.key for c in stage.checklist if c.key not in self.ticks.get(self.stage, set())]

        def steps(self):
            return [s for s in self.definition.stage(self.stage).reviews if self.applies(s)]

        def turn(self):
            return next((s for s in self.steps() if s.key not in self.approved), None)

        def legal_target(self, target):
            stage = self.definition.stage(self.stage)
            if target not in stage.next or not self.applies(self.definition.stage(target)):
                return False
            return not any(self.applies(s) for s in self.definition.between(self.stage, target))

        # --- rules --------------------------------------------------------------------
        @rule(actor=st.sampled_from(ACTORS), index=st.integers(0, 7), checked=st.booleans())
        def tick(self, actor, index, checked):
            user = self.users[actor]
            checklist = self.definition.stage(self.stage).checklist
            key = checklist[index % len(checklist)].key if checklist else "not-a-standard"
            expected = self.status == "active" and user.role in EDITORS and bool(checklist)
            try:
                self.run = services.run_tick(self.run, item_key=key, checked=checked, by=user,
                                             expected_version=self.version)
            except services.TransitionRefused:
                assert not expected, f"tick of {key} by {actor} refused"
                return
            assert expected, f"tick of {key} by {actor} succeeded"
            ticked = self.ticks.setdefault(self.stage, set())
            if (key in ticked) != checked:
                ticked.add(key) if checked else ticked.discard(key)
                self.version += 1

        @rule(actor=st.sampled_from(ACTORS))
        def tick_every_open_standard(self, actor):
            """A diligent author: lets random walks get deep into the process."""
            for key in self.open_checklist() if self.status == "active" else []:
                user = self.users[actor]
                try:
                    self.run = services.run_tick(self.run, item_key=key, checked=True, by=user,
                                                 expected_version=self.version)
                except services.TransitionRefused:
                    assert user.role not in EDITORS
                    return
                assert user.role in EDITORS
                self.ticks.setdefault(self.stage, set()).add(key)
                self.version += 1

        @rule()
        def work_the_stage(self):
            """The happy path of one stage through the same rules: every standard ticked,
            each review step taken by a holder of its role who does not own the item, then
            the default move. Random walks would rarely get past the first stages."""
            if self.status != "active":
                return
            self.tick_every_open_standard("marketer2")
            while (step := self.turn()) is not None:
                actor = next(a for a in ACTORS if self.users[a].role == step.role and self.users[a] != self.owner)
                self.review(actor, True, "")
            self.advance("team_leader", None)

        @rule(actor=st.sampled_from(ACTORS), approve=st.booleans(), comment=st.sampled_from(["", "Fix the date."]))
        def review(self, actor, approve, comment):
            user = self.users[actor]
            decision = "approved" if approve else "changes_requested"
            step = self.turn()
            expected = (self.status == "active" and step is not None and not self.open_checklist()
                        and user.role == step.role and user.pk != self.owner.pk
                        and (approve or bool(comment)))
            try:
                review = services.run_review(self.run, decision=decision, by=user, comment=comment,
                                             expected_version=self.version)
            except services.TransitionRefused:
                assert not expected, f"review by {actor} refused at {self.stage}"
                return
            except PermissionDenied:
                raise AssertionError(f"{actor} is in scope") from None
            assert expected, f"review by {actor} ({user.role}) succeeded at {self.stage}"
            assert (review.step, review.reviewer_id) == (step.key, user.pk)
            self.version += 1
            self.run.refresh_from_db()
            if approve:
                self.approved.add(step.key)
            else:
                self.approved = set()

        @rule(actor=st.sampled_from(ACTORS), to=st.one_of(st.none(), st.sampled_from(
            ["intake", "decision", "rights_negotiation", "payment", "planning", "execution_plan", "final_review",
             "warmup", "wrap_up"])))
        def advance(self, actor, to):
            target = to
            user = self.users[actor]
            stage = self.definition.stage(self.stage)
            gate_open = not self.open_checklist() and self.turn() is None
            if target is None:
                legal = [k for k in stage.next if self.legal_target(k)]
                destination = legal[0] if legal else (None if not stage.next else "refused")
            else:
                destination = target if self.legal_target(target) else "refused"
            expected = (self.status == "active" and user.role in EDITORS and gate_open and destination != "refused")
            try:
                self.run = services.run_advance(self.run, to_stage=target, by=user, expected_version=self.version)
            except services.TransitionRefused:
                assert not expected, f"advance {self.stage}→{target} by {actor} refused"
                return
            assert expected, f"advance {self.stage}→{target} by {actor} succeeded"
            skipped = self.definition.between(self.stage, destination) if destination else []
            assert not any(self.applies(s) for s in skipped), "an applicable stage was skipped"
            self.version += 1
            self.advances += 1
            if destination is None:
                self.status = "completed"
            else:
                self.stage = destination
                self.path.append(destination)
                self.approved = set()

        @rule(flag=st.sampled_from(["paid", "needs_business_review"]), actor=st.sampled_from(["marketer", "team_leader"]))
        def flip_flag(self, flag, actor):
            self.flags[flag] = not self.flags[flag]
            adapter.set(self.item, flags=dict(self.flags))
            if self.status != "active":
                return
            before = self.run.version
            self.run = services.run_reschedule(self.run, by=self.users[actor])
            self.version = self.run.version
            assert self.version in (before, before + 1)

        @rule(actor=st.sampled_from(ACTORS))
        def stale_version(self, actor):
            if self.version == 1:
                return
            with pytest.raises((services.ConcurrentChange, services.TransitionRefused)) as caught:
                services.run_advance(self.run, by=self.users[actor], expected_version=self.version - 1)
            if self.status == "active":
                assert isinstance(caught.value, services.ConcurrentChange)

        # --- invariants ------------------------------------------------------------------
        @invariant()
        def matches_the_model(self):
            if self.run is None:
                return
            event(f"reached {self.stage if self.status == 'active' else self.status}")  # --hypothesis-show-statistics
            row = ProcessRun.objects.get(pk=self.run.pk)
            assert (row.stage, row.status, row.version) == (self.stage, self.status, self.version)

        @invariant()
        def one_transition_row_per_advance(self):
            if self.run is None:
                return
            assert AuditEntry.objects.filter(action="transition", object_id=str(self.run.pk),
                                             content_type__model="processrun").count() == self.advances

        @invariant()
        def reviewers_hold_the_role_and_never_own_the_item(self):
            if self.run is None:
                return
            for review in Review.objects.filter(run=self.run).exclude(decision="pending").select_related("reviewer"):
                assert review.reviewer.role == review.role
                assert review.reviewer_id != self.owner.pk

        @invariant()
        def the_path_follows_the_declared_order(self):
            if self.run is None:
                return
            positions = [self.definition.position(k) for k in self.path]
            assert positions == sorted(positions) and len(set(positions)) == len(positions)

    return EngineMachine


def test_engine_state_machine(adapter, install, db):
    install(shipped_text("event-salon"))
    run_state_machine_as_test(
        machine_for(adapter),
        settings=settings(max_examples=20, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
