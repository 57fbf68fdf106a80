"""REST API under /api/v1/notify: the caller's inbox, team webhooks, the delivery log."""

import pytest

from marketdesk.notify import services
from marketdesk.notify.models import Delivery, WebhookEndpoint
from tests.notify.conftest import FROZEN

API = "/api/v1/notify"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/abcd-1234"


def test_inbox_of_the_caller_only(users, api_client_for, clock):
    marketer = users["marketer"]
    first = services.notify([marketer], kind="k", title="First", url="/x/")[0]
    clock.advance(minutes=1)
    services.notify([marketer], kind="k", title="Second")
    foreign = services.notify([users["sales"]], kind="k", title="Other")[0]
    services.mark_read(first, by=marketer)
    client = api_client_for(marketer)
    data = client.get(f"{API}/notifications").json()
    assert (data["count"], data["unread"], data["page"], data["page_size"]) == (2, 1, 1, 50)
    assert [(n["title"], n["read_at"]) for n in data["items"]] == [
        ("Second", None), ("First", "2026-03-02T01:01:00Z")]
    assert [n["title"] for n in client.get(f"{API}/notifications?unread=true").json()["items"]] == ["Second"]
    assert client.post(f"{API}/notifications/{foreign.pk}/read").status_code == 404
    response = client.post(f"{API}/notifications/read-all")
    assert response.json() == {"updated": 1}
    assert services.unread_count(users["sales"]) == 1


def test_team_leader_manages_webhooks(users, team_a, api_client_for, public_dns, clock):
    client = api_client_for(users["team_leader"])
    response = client.post(f"{API}/webhooks", {
        "team": team_a.pk, "name": "Growth", "vendor": "feishu", "url": FEISHU, "secret": "s"},
        content_type="application/json")
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    stamp = FROZEN.isoformat().replace("+00:00", "Z")
    assert response.json() == {"id": endpoint.pk, "team": team_a.pk, "name": "Growth",
                               "vendor": "feishu", "url": "https://open.feishu.cn/…1234",
                               "signed": True, "enabled": True, "created_at": stamp,
                               "updated_at": stamp}
    response = client.patch(f"{API}/webhooks/{endpoint.pk}", {"enabled": False, "secret": ""},
                            content_type="application/json")
    assert (response.json()["enabled"], response.json()["signed"]) == (False, False)
    assert [w["name"] for w in client.get(f"{API}/webhooks").json()] == ["Growth"]
    assert client.delete(f"{API}/webhooks/{endpoint.pk}").status_code == 204
    assert WebhookEndpoint.objects.count() == 0


def test_an_unsafe_address_is_a_422_naming_the_field(users, team_a, api_client_for):
    response = api_client_for(users["team_leader"]).post(f"{API}/webhooks", {
        "team": team_a.pk, "name": "Bad", "vendor": "slack", "url": "https://[::1]/hook"},
        content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"detail": "The request is not valid.", "errors": [{
        "field": "url", "code": "blocked_address",
        "message": "::1 is a loopback address; a webhook may only reach public internet addresses."}]}
    assert WebhookEndpoint.objects.count() == 0


def test_permissions(users, team_a, team_b, make_user, api_client_for, public_dns):
    mine = services.webhook_create(team=team_a, vendor="feishu", url=FEISHU, name="A",
                                   by=users["team_leader"])
    theirs = services.webhook_create(team=team_b, vendor="feishu", url=FEISHU, name="B",
                                     by=make_user("team_leader", username="lead-b", teams=[team_b]))
    marketer = api_client_for(users["marketer"])
    body = {"team": team_a.pk, "name": "M", "vendor": "feishu", "url": FEISHU}
    assert marketer.post(f"{API}/webhooks", body, content_type="application/json").status_code == 403
    assert marketer.patch(f"{API}/webhooks/{mine.pk}", {"name": "X"},
                          content_type="application/json").status_code == 403
    assert marketer.post(f"{API}/webhooks/{mine.pk}/test").status_code == 403
    assert marketer.get(f"{API}/webhooks/{mine.pk}").status_code == 200
    leader = api_client_for(users["team_leader"])
    assert leader.get(f"{API}/webhooks/{theirs.pk}").status_code == 404
    assert leader.get(f"{API}/webhooks/{theirs.pk}/deliveries").status_code == 404
    response = leader.post(f"{API}/webhooks", {**body, "team": team_b.pk},
                           content_type="application/json")
    assert (response.status_code, response.json()["errors"]) == (422, [
        {"field": "team", "message": "Not one of your teams.", "code": "scope"}])


def test_test_message_and_delivery_log(users, team_a, api_client_for, receiver, clock,
                                       django_capture_on_commit_callbacks):
    endpoint = services.webhook_create(team=team_a, vendor="wecom", url=receiver.url("/hook"),
                                       name="W", by=users["team_leader"])
    receiver.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    client = api_client_for(users["team_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/webhooks/{endpoint.pk}/test")
    assert response.status_code == 202
    delivery = Delivery.objects.get()
    assert response.json()["id"] == delivery.pk
    log = client.get(f"{API}/webhooks/{endpoint.pk}/deliveries?status=failed").json()
    stamp = FROZEN.isoformat().replace("+00:00", "Z")
    assert log == {"count": 1, "page": 1, "page_size": 50, "items": [{
        "id": delivery.pk, "endpoint": endpoint.pk, "kind": "notify.test",
        "title": "MarketDesk test message", "status": "failed", "attempts": 1,
        "next_attempt_at": None, "last_status_code": 200, "error_kind": "vendor",
        "last_error": "93000: invalid webhook url", "created_at": stamp, "sent_at": None,
        "attempt_log": [{"number": 1, "started_at": stamp, "finished_at": stamp,
                         "status_code": 200, "error_kind": "vendor",
                         "error": "93000: invalid webhook url"}]}]}
    assert client.get(f"{API}/webhooks/{endpoint.pk}/deliveries?status=sent").json()["count"] == 0
    assert client.get(f"{API}/webhooks/{endpoint.pk}/deliveries?status=nope").status_code == 422


@pytest.mark.parametrize("field", ["vendor", "url"])
def test_schema_errors(users, team_a, api_client_for, field):
    body = {"team": team_a.pk, "name": "M", "vendor": "teams", "url": FEISHU}
    if field == "url":
        body = {"team": team_a.pk, "name": "M", "vendor": "slack"}
    response = api_client_for(users["team_leader"]).post(f"{API}/webhooks", body,
                                                         content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_openapi_documents_every_status_code(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, item in schema["paths"].items()
                  if path.startswith(API) for method, op in item.items()]
    assert sorted((method.upper(), path) for path, method, _ in operations) == [
        ("DELETE", f"{API}/webhooks/{{webhook_id}}"),
        ("GET", f"{API}/notifications"),
        ("GET", f"{API}/webhooks"),
        ("GET", f"{API}/webhooks/{{webhook_id}}"),
        ("GET", f"{API}/webhooks/{{webhook_id}}/deliveries"),
        ("PATCH", f"{API}/webhooks/{{webhook_id}}"),
        ("POST", f"{API}/notifications/read-all"),
        ("POST", f"{API}/notifications/{{notification_id}}/read"),
        ("POST", f"{API}/webhooks"),
        ("POST", f"{API}/webhooks/{{webhook_id}}/test"),
    ]
    for path, method, operation in operations:
        codes = set(operation["responses"])
        where = f"{method.upper()} {path}"
        assert {"401", "403", "404", "422"} <= codes, where
        if method in ("patch", "delete") or path.endswith("/webhooks") and method == "post":
            assert "409" in codes, where
        for code in codes - {"200", "201", "202", "204"}:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut", where
