"""Two reviewers acting at the same moment: exactly one wins, the other gets
ConcurrentChange. Real threads with their own database connections, committed data
(``transactional_db``); on SQLite the IMMEDIATE transaction mode of settings serialises
the writers, on PostgreSQL the run row lock (select_for_update) does."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from marketdesk.sop import services
from marketdesk.sop.models import ProcessRun, Review
from tests.sop.conftest import ALL_FIELDS, pass_stage, shipped_text


def _race(run_pk: int, version: int, actors: dict, act) -> dict:
    barrier = threading.Barrier(len(actors))
    outcome: dict[str, str] = {}

    def worker(name, user):
        try:
            run = ProcessRun.objects.get(pk=run_pk)
            barrier.wait(timeout=10)
            act(run, user, version)
            outcome[name] = "won"
        except services.ConcurrentChange as exc:
            outcome[name] = f"conflict: {exc.message}"
        except Exception as exc:  # noqa: BLE001 — any other outcome must fail the test below
            outcome[name] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name, user)) for name, user in actors.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


@pytest.fixture
def at_director_review(transactional_db, adapter, install, make_product, users, make_user):
    install(shipped_text("event-salon"))
    item = make_product()
    adapter.set(item, dates={"start": dt.date(2030, 6, 1), "end": dt.date(2030, 6, 1)}, priority="P1",
                owner=users["marketer"], fields=dict(ALL_FIELDS))
    run = services.run_start(item, definition_key="test-event-salon", by=users["marketer"])
    reviewers = {"director": users["director"]}
    run = pass_stage(run, users["marketer"], reviewers)
    run = pass_stage(run, users["marketer"], reviewers)
    assert run.stage == "decision"
    return run, {"first": users["director"], "second": make_user("director", username="director-two")}


@pytest.mark.parametrize("second_decision", ["approved", "changes_requested"])
def test_two_directors_reviewing_at_once_cannot_both_win(at_director_review, second_decision):
    run, directors = at_director_review
    decisions = {"first": "approved", "second": second_decision}

    def act(run, user, version):
        name = "first" if user == directors["first"] else "second"
        services.run_review(run, decision=decisions[name], by=user, comment="Needs a budget line.",
                            expected_version=version)

    outcome = _race(run.pk, run.version, directors, act)
    assert sorted(outcome.values()) == [
        "conflict: Someone else changed this item in the meantime; reload it and try again.", "won"]
    decided = Review.objects.filter(run=run).exclude(decision="pending")
    assert decided.count() == 1
    winner = next(name for name, result in outcome.items() if result == "won")
    assert (decided.get().reviewer, decided.get().decision) == (directors[winner], decisions[winner])
    assert ProcessRun.objects.get(pk=run.pk).version == run.version + 1


def test_two_people_advancing_at_once_move_the_item_once(at_director_review, users, make_user):
    run, directors = at_director_review
    services.run_review(run, decision="approved", by=directors["first"], expected_version=run.version)
    run.refresh_from_db()
    movers = {"marketer": users["marketer"], "leader": users["team_leader"]}
    outcome = _race(run.pk, run.version, movers,
                    lambda run, user, version: services.run_advance(run, by=user, expected_version=version))
    assert sorted(outcome.values()) == [
        "conflict: Someone else changed this item in the meantime; reload it and try again.", "won"]
    moved = ProcessRun.objects.get(pk=run.pk)
    assert (moved.stage, moved.version) == ("planning", run.version + 1)
