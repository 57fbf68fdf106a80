"""The SOP engine over REST (/api/v1/sop)."""

from __future__ import annotations

import json

from marketdesk.sop import services
from tests.sop.conftest import pass_stage


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_definitions_list_detail_and_validation(db, users, api_client_for):
    client = api_client_for(users["marketer"])
    listed = client.get("/api/v1/sop/definitions").json()
    assert [(d["key"], d["version"], d["team"], d["is_builtin"]) for d in listed] == [
        ("event-exhibition", 1, None, True), ("event-livestream", 1, None, True), ("event-salon", 1, None, True),
        ("event-summit", 1, None, True), ("marketing-cadences", 1, None, True)]
    salon = services.definition_for("event-salon", None)
    detail = client.get(f"/api/v1/sop/definitions/{salon.pk}").json()
    assert detail["rules"] == ["O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10"]
    assert detail["spec"]["stages"][7]["deadline"] == {"anchor": "start", "offset": "-30d", "offset_by_priority": None,
                                                       "time": None, "rule": "O7"}
    bad = salon.yaml_text.replace("role: director", "role: boss", 1)
    result = post(client, "/api/v1/sop/definitions/validate", {"yaml_text": bad}).json()
    line = bad.splitlines().index("      - {key: director, role: boss, name: {en: \"Marketing director's evaluation\", "
                                  "zh: \"市场总监评估\"}, rule: O4}") + 1
    assert result == {"valid": False, "key": None, "problems": [
        {"line": line, "path": "stages[2].reviews[0].role",
         "message": "“boss” is not a role (one of: director, team_leader, marketer, reviewer, sales, admin)"}]}
    assert post(client, "/api/v1/sop/definitions/validate", {"yaml_text": salon.yaml_text}).json() == {
        "valid": True, "key": "event-salon", "problems": []}


def test_saving_a_copy_over_the_api(db, users, team_a, api_client_for):
    salon = services.definition_for("event-salon", None)
    url = f"/api/v1/sop/definitions/{salon.pk}/copies"
    text = salon.yaml_text.replace("offset: -14d", "offset: -21d")
    assert post(api_client_for(users["marketer"]), url, {"team": team_a.pk, "yaml_text": text}).status_code == 403
    leader = api_client_for(users["team_leader"])
    response = post(leader, url, {"team": team_a.pk, "yaml_text": text.replace("offset: -21d", "offset: -21q", 1)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "yaml_text"
    assert response.json()["errors"][0]["message"].endswith(
        "stages[8].deadline.offset: unknown offset “-21q” (write e.g. -30d, +5d, 0d, same-day or -2bd)")
    created = post(leader, url, {"team": team_a.pk, "yaml_text": text})
    assert created.status_code == 201
    assert (created.json()["team"], created.json()["version"]) == (team_a.pk, 1)
    assert post(leader, url, {"team": team_a.pk, "yaml_text": text}).status_code == 200


def test_run_actions_with_reasons_and_conflicts(salon, users, api_client_for):
    item, run = salon
    marketer = api_client_for(users["marketer"])
    got = marketer.get(f"/api/v1/sop/runs/{run.pk}").json()
    assert (got["stage"], got["version"], got["definition_key"], len(got["timeline"])) == (
        "intake", 1, "test-event-salon", 8)
    assert got["timeline"][1] == {
        "key": "planning", "label": "Event plan (at least one month ahead)", "stage": "planning", "kind": "stage",
        "due_at": "2030-05-02T15:59:59.999Z", "done_at": None, "state": "upcoming", "rule": "O7",
        "basis": "start −30d", "escalation_level": 0}
    moved = post(marketer, f"/api/v1/sop/runs/{run.pk}/advance", {"expected_version": 1})
    assert (moved.status_code, moved.json()["stage"], moved.json()["version"]) == (200, "evaluation", 2)
    stale = post(marketer, f"/api/v1/sop/runs/{run.pk}/advance", {"expected_version": 1})
    assert stale.status_code == 409
    assert stale.json() == {"detail": "Someone else changed this item in the meantime; reload it and try again.",
                            "errors": []}
    refused = post(marketer, f"/api/v1/sop/runs/{run.pk}/advance", {"expected_version": 2})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"].startswith(
        "“Event evaluation (weekly meeting)” cannot be left yet: open checklist items: Are competitors taking part?")
    ticked = post(marketer, f"/api/v1/sop/runs/{run.pk}/tick",
                  {"item_key": "competitors", "checked": True, "expected_version": 2})
    assert ticked.json()["version"] == 3


def test_the_review_inbox_and_review_over_the_api(salon, users, api_client_for):
    _item, run = salon
    reviewers = {"director": users["director"]}
    run = pass_stage(run, users["marketer"], reviewers)
    run = pass_stage(run, users["marketer"], reviewers)
    director = api_client_for(users["director"])
    inbox = director.get("/api/v1/sop/reviews").json()
    assert [(r["run"], r["step"], r["decision"]) for r in inbox] == [(run.pk, "director", "pending")]
    done = post(director, f"/api/v1/sop/runs/{run.pk}/review",
                {"decision": "changes_requested", "comment": "Which customers attend?", "expected_version": run.version})
    assert done.status_code == 200
    assert (done.json()["decision"], done.json()["reviewer"], done.json()["comment"]) == (
        "changes_requested", users["director"].pk, "Which customers attend?")
    wrong = post(api_client_for(users["team_leader"]), f"/api/v1/sop/runs/{run.pk}/review",
                 {"decision": "approved", "expected_version": run.version + 1})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["message"] == (
        "This review step (Marketing director's evaluation) is for the Marketing director; your role is Team leader.")


def test_cadences_over_the_api(db, users, team_a, team_b, api_client_for):
    client = api_client_for(users["marketer"])
    got = client.get(f"/api/v1/sop/cadences?team={team_a.pk}&start=2025-03-31&end=2025-04-01").json()
    assert got == [{"key": "weekly_evaluation", "label": "Weekly event evaluation meeting", "day": "2025-03-31",
                    "at": "2025-03-31T02:00:00Z", "rule": "O4/O15"}]
    assert client.get(f"/api/v1/sop/cadences?team={team_b.pk}&start=2025-03-31&end=2025-04-01").status_code == 403
