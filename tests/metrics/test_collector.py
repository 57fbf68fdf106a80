"""The collector ``POST /collect`` (O14): size limits, CORS, bad JSON, partial acceptance,
identify events (hashed e-mail, stitching), de-duplication on re-send."""

import hashlib
import json

import pytest

from marketdesk.metrics import collector, store

EMAIL_HASH = hashlib.sha256(b"ada@example.com").hexdigest()


def rows(table):
    con = store.duckdb_connection([table])
    try:
        return con.execute(f"SELECT * EXCLUDE (date, ts) FROM {table} ORDER BY event_id") \
            .fetch_arrow_table().to_pylist()
    finally:
        con.close()


def post(client, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/collect", data, content_type="text/plain", headers=headers)


def view(event_id="e1", **extra):
    return {"id": event_id, "type": "page_view", "ts": "2026-03-01T09:30:00.000Z",
            "anonymous_id": "anon-1", "url": "https://acme.cn/?utm_source=Baidu&utm_medium=CPC",
            "referrer": "https://www.baidu.com/", **extra}


@pytest.mark.django_db
def test_good_events_stored_bad_ones_rejected_with_reasons(client):
    response = post(client, {"events": [view("e1"), {"type": "page_view"}, 7,
                                        view("e4", ts="soon"), view("e5", colour="red")]})
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": [
        {"index": 1, "field": "id", "reason": "The event has no id: the sender must give every "
         "event a unique id (the snippet uses crypto.randomUUID)."},
        {"index": 2, "field": "", "reason": "The event is not a JSON object."},
        {"index": 3, "field": "ts", "reason": "“soon” is not a date and time in ISO 8601 (e.g. "
         "2026-03-01T09:30:00+08:00)."},
        {"index": 4, "field": "colour", "reason": "“colour” is not a field of a collector event."},
    ]}
    assert rows("touchpoints") == [{
        "event_id": "e1", "anonymous_id": "anon-1", "person_id": None, "account_id": None,
        "event_type": "page_view", "channel": "paid_search", "source": "baidu", "medium": "cpc",
        "campaign": None, "term": None, "content": None, "content_id": None, "event_ref": None,
        "url": "https://acme.cn/?utm_source=Baidu&utm_medium=CPC",
        "referrer": "https://www.baidu.com/", "value": None, "properties": None,
        "origin": "collector"}]
    assert [(r["origin"], r["received"], r["written"], r["rejected"])
            for r in store.id_index().intake()] == [("collector", 5, 1, 4)]


@pytest.mark.django_db
def test_resend_is_deduplicated(client):
    post(client, {"events": [view("e1"), view("e2")]})
    assert post(client, {"events": [view("e1"), view("e2"), view("e3")]}).json() == {
        "accepted": 1, "duplicates": 2, "rejected": []}
    assert [r["event_id"] for r in rows("touchpoints")] == ["e1", "e2", "e3"]


@pytest.mark.django_db
def test_identify_writes_hashed_identity_and_form_submit_and_stitches_the_batch(client):
    answer = post(client, {"events": [
        view("e1"),
        {"id": "e2", "type": "identify", "ts": "2026-03-01T09:31:00Z", "anonymous_id": "anon-1",
         "email": " Ada@Example.com ", "url": "https://acme.cn/demo",
         "referrer": "https://acme.cn/", "properties": {"form": "demo", "email": "x@y.z"}},
        {"id": "e3", "type": "track", "name": "cta_click", "ts": "2026-03-01T09:30:30Z",
         "anonymous_id": "anon-1", "properties": {"cta": "book"}},
        {"id": "e4", "type": "track", "name": "video_play", "ts": "2026-03-01T09:30:40Z",
         "anonymous_id": "anon-1"},
    ]}).json()
    assert answer == {"accepted": 4, "duplicates": 0, "rejected": []}
    person = f"email:{EMAIL_HASH}"
    assert [{k: r[k] for k in ("event_id", "anonymous_id", "person_id", "email_hash", "origin")}
            for r in rows("identities")] == [
        {"event_id": "e2", "anonymous_id": "anon-1", "person_id": person,
         "email_hash": EMAIL_HASH, "origin": "collector"}]
    got = [(r["event_id"], r["event_type"], r["person_id"], r["channel"], r["properties"])
           for r in rows("touchpoints")]
    assert got == [
        ("e1", "page_view", person, "paid_search", None),
        ("e2", "form_submit", person, None, '{"form":"demo"}'),
        # no referrer, no UTM: GA4's (direct) / (none); e2's referrer is our own site
        ("e3", "cta_click", person, "direct", '{"cta":"book"}'),
        ("e4", "custom", person, "direct", '{"event":"video_play"}'),
    ]
    stored = json.dumps(rows("touchpoints") + rows("identities"))
    assert "example.com" not in stored.replace("acme.cn", "") and "x@y.z" not in stored


@pytest.mark.django_db
def test_identify_without_address_is_rejected(client):
    answer = post(client, {"events": [{"id": "e1", "type": "identify", "ts": "2026-03-01T09:31:00Z",
                                       "anonymous_id": "a", "email": "nobody"}]}).json()
    assert answer["rejected"] == [{"index": 0, "field": "email",
                                   "reason": "An identify event needs an e-mail address."}]
    assert store.files("identities") == store.files("touchpoints") == []


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "status", "detail"), [
    ("{not json", 400, "The body is not valid JSON."),
    ('[1, 2]', 400, 'The body must be a JSON object {"events": [...]}.'),
    ('{"events": {}}', 400, 'The body must be a JSON object {"events": [...]}.'),
])
def test_bad_bodies(client, body, status, detail):
    response = post(client, body)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert store.files("touchpoints") == []


@pytest.mark.django_db
def test_size_limits(client):
    response = post(client, {"events": [view(f"e{i}") for i in range(1001)]})
    assert (response.status_code, response.json()) == (413, {
        "detail": "A batch holds at most 1000 events; this one has 1001."})
    response = post(client, "x" * (collector.MAX_BODY_BYTES + 1))
    assert (response.status_code, response.json()) == (413, {
        "detail": "The body is larger than 1048576 bytes; send smaller batches."})
    assert store.files("touchpoints") == []


@pytest.mark.django_db
def test_cors_origin_rules(client, settings):
    settings.MARKETDESK_COLLECT_ORIGINS = ["https://www.acme.cn"]
    refused = post(client, {"events": [view()]}, Origin="https://evil.example")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    assert store.files("touchpoints") == []
    ok = post(client, {"events": [view()]}, Origin="https://www.acme.cn")
    assert ok.status_code == 200 and ok["Access-Control-Allow-Origin"] == "https://www.acme.cn"
    same = post(client, {"events": [view("e2")]}, Origin="http://testserver")
    assert same.status_code == 200
    preflight = client.options("/collect", headers={"Origin": "https://www.acme.cn"})
    assert preflight.status_code == 204
    assert (preflight["Access-Control-Allow-Origin"], preflight["Access-Control-Allow-Methods"],
            preflight["Access-Control-Allow-Headers"]) == ("https://www.acme.cn", "POST, OPTIONS",
                                                           "Content-Type")
    assert client.options("/collect", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.get("/collect").status_code == 405


@pytest.mark.django_db
def test_no_session_or_csrf_needed(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/collect", json.dumps({"events": [view()]}),
                           content_type="application/json")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
