"""The SOP pages over HTTP: definitions, the flowchart, the team copy editor, the review
inbox and the run actions the item pages embed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from marketdesk.sop import services
from marketdesk.sop.models import ProcessDefinition, ProcessRun, Review
from tests.sop.conftest import pass_stage


def builtin(key="event-salon"):
    return services.definition_for(key, None)


def test_the_definition_list_shows_builtins_and_own_team_copies_only(db, users, team_b, client_for):
    salon = builtin()
    services.definition_save_copy(salon, team=team_b, yaml_text=salon.yaml_text.replace("小型：沙龙", "品牌沙龙"),
                                  by=users["director"])
    response = client_for(users["marketer"]).get(reverse("sop:definition_list"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Exhibition (large event)", "Summit (medium event)", "Salon (small event)", "Online livestream",
                 "Marketing cadences"):
        assert name in body
    assert "No team has its own copy yet" in body          # team B's copy is not in team A's scope
    director_body = client_for(users["director"]).get(reverse("sop:definition_list")).content.decode()
    assert "Brand" in director_body and "No team has its own copy yet" not in director_body


def test_definition_detail_has_the_flowchart_the_stage_list_and_the_rules(db, users, client_for):
    response = client_for(users["sales"]).get(builtin().get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    start, end = body.index("<svg"), body.index("</svg>") + len("</svg>")
    svg = ET.fromstring(body[start:end])
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Flowchart of the process “Salon (small event)”"
    assert "<ol" in body and "Warm-up and recruitment" in body
    assert "Lead times and reviews: plan ≥ 1 month, execution plan ≥ 2 weeks, reviews 1 day before" in body
    assert "Edit a copy for a team" not in body  # sales may not edit processes


def test_the_flowchart_download_is_svg(db, users, client_for):
    response = client_for(users["marketer"]).get(reverse("sop:definition_flowchart", args=[builtin().pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert ET.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"


def test_another_teams_copy_is_not_found(db, users, team_b, client_for):
    salon = builtin()
    copy, _ = services.definition_save_copy(salon, team=team_b, yaml_text=salon.yaml_text.replace("小型：沙龙", "品牌沙龙"),
                                            by=users["director"])
    assert client_for(users["team_leader"]).get(copy.get_absolute_url()).status_code == 404


def test_the_copy_editor_shows_problems_with_line_and_key_and_saves_nothing(db, users, team_a, client_for):
    salon = builtin()
    url = reverse("sop:definition_edit", args=[salon.pk])
    client = client_for(users["team_leader"])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {"team": team_a.pk, "yaml_text": salon.yaml_text}
    broken = salon.yaml_text.replace("offset: -30d}\n    required_fields: [plan]", "offset: -30x}\n    required_fields: [plan]")
    line = broken.splitlines().index("    deadline: {anchor: start, offset: -30x}") + 1
    response = client.post(url, {"team": team_a.pk, "yaml_text": broken})
    assert response.status_code == 200
    assert [str(p) for p in response.context["problems"]] == [
        f"line {line}, stages[7].deadline.offset: unknown offset “-30x” (write e.g. -30d, +5d, 0d, same-day or -2bd)"]
    body = response.content.decode()
    assert f'data-line="{line}"' in body and 'aria-invalid="true"' in body
    assert ProcessDefinition.objects.filter(team=team_a).count() == 0


def test_saving_the_copy_creates_a_version_for_new_items(db, users, team_a, client_for):
    salon = builtin()
    client = client_for(users["team_leader"])
    text = salon.yaml_text.replace("offset: -14d", "offset: -21d")
    response = client.post(reverse("sop:definition_edit", args=[salon.pk]), {"team": team_a.pk, "yaml_text": text})
    copy = ProcessDefinition.objects.get(team=team_a)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert (copy.key, copy.version, copy.created_by) == ("event-salon", 1, users["team_leader"])
    assert services.definition_for("event-salon", team_a) == copy
    response = client.post(reverse("sop:definition_use_builtin", args=[copy.pk]))
    assert response.status_code == 302
    assert services.definition_for("event-salon", team_a) == salon


def test_only_leaders_open_the_editor(db, users, client_for):
    url = reverse("sop:definition_edit", args=[builtin().pk])
    assert client_for(users["marketer"]).get(url).status_code == 403
    assert client_for(users["director"]).get(url).status_code == 200


# --- run actions and partials -------------------------------------------------------

def reviewers(users):
    return {"director": users["director"], "team_leader": users["team_leader"], "reviewer": users["reviewer"]}


@pytest.fixture
def at_decision(salon, users):
    item, run = salon
    run = pass_stage(run, users["marketer"], reviewers(users))
    run = pass_stage(run, users["marketer"], reviewers(users))
    return item, run


def test_the_review_inbox_links_to_the_item(at_decision, users, client_for):
    item, run = at_decision
    response = client_for(users["director"]).get(reverse("sop:review_inbox"))
    assert [row["review"].step for row in response.context["rows"]] == ["director"]
    assert f'href="{item.get_absolute_url()}"' in response.content.decode()
    empty = client_for(users["marketer"]).get(reverse("sop:review_inbox"))
    assert empty.context["rows"] == [] and "Nothing waits for your review." in empty.content.decode()


def test_approving_from_the_panel_over_htmx(at_decision, users, client_for):
    item, run = at_decision
    client = client_for(users["director"])
    response = client.post(reverse("sop:review", args=[run.pk]),
                           {"decision": "approved", "comment": "", "expected_version": run.version,
                            "next": item.get_absolute_url()}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Approved: Marketing director&#x27;s evaluation." in body
    assert f'id="sop-timeline-{run.pk}"' in body and 'hx-swap-oob="true"' in body
    assert Review.objects.get(run=run).decision == "approved"


def test_a_refused_review_explains_why_and_a_stale_one_asks_to_reload(at_decision, users, client_for):
    item, run = at_decision
    leader = client_for(users["team_leader"])
    response = leader.post(reverse("sop:review", args=[run.pk]),
                           {"decision": "approved", "expected_version": run.version, "next": item.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["This review step (Marketing director's evaluation) is for the Marketing director; "
                        "your role is Team leader."]
    stale = client_for(users["director"]).post(reverse("sop:review", args=[run.pk]),
                                               {"decision": "approved", "expected_version": run.version - 1},
                                               headers={"HX-Request": "true"})
    body = stale.content.decode()
    assert "Someone else changed this item in the meantime; reload it and try again." in body
    assert 'class="alert alert-warning"' in body
    assert Review.objects.get(run=run).decision == "pending"


def test_tick_and_advance_views(salon, users, client_for):
    item, run = salon
    client = client_for(users["marketer"])
    response = client.post(reverse("sop:advance", args=[run.pk]), {"expected_version": run.version},
                           headers={"HX-Request": "true"})
    assert "Moved from “Event information collection (first screening)” to “Event evaluation (weekly meeting)”." \
        in response.content.decode()
    run.refresh_from_db()
    response = client.post(reverse("sop:advance", args=[run.pk]), {"expected_version": run.version},
                           headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "“Event evaluation (weekly meeting)” cannot be left yet:" in body
    assert "<li>open checklist items: Are competitors taking part?" in body
    response = client.post(reverse("sop:tick", args=[run.pk]),
                           {"item_key": "competitors", "checked": "on", "expected_version": run.version})
    assert response.status_code == 302
    assert ProcessRun.objects.get(pk=run.pk).version == run.version + 1


def test_the_partials_render_for_an_item_page(salon, users, rf):
    from django.template import Context, Template

    item, run = salon
    request = rf.get(item.get_absolute_url())
    request.user = users["marketer"]
    html = Template("{% load sop %}{% sop_timeline run %}{% sop_review_panel run %}").render(
        Context({"run": run, "request": request}))
    assert html.count('class="list-group-item d-flex flex-wrap gap-2 align-items-start sop-deadline') == 8
    assert "2030-05-02" in html and "Dates in Asia/Shanghai" in html
    assert "Current stage: Event information collection (first screening)" in html
    assert f'action="/sop/runs/{run.pk}/advance/"' in html


def test_other_teams_runs_are_not_found(salon, users, make_user, team_b, client_for):
    _item, run = salon
    outsider = make_user("team_leader", username="leader-b", teams=[team_b])
    response = client_for(outsider).post(reverse("sop:advance", args=[run.pk]), {"expected_version": run.version})
    assert response.status_code == 404


def test_the_partials_render_nothing_without_a_run(db, users, rf):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = users["marketer"]
    html = Template("{% load sop %}{% sop_timeline run %}{% sop_review_panel run %}").render(
        Context({"run": None, "request": request}))
    assert html.strip() == ""
