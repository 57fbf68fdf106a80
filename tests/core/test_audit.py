"""The audit log: every create, update and delete made through a service is one
append-only entry with who, what, before/after, when (UTC) and in which request."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketdesk.core import audit
from marketdesk.core import services as core
from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.core import factories as f

NOON_UTC = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def ct(model):
    return ContentType.objects.get_for_model(model)


@pytest.fixture
def product(team_a, users):
    return f.product(team_a, by=users["marketer"], name="Atlas")


def new_entries(before_id):
    return list(AuditEntry.objects.filter(id__gt=before_id).order_by("id"))


def last_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- create / update / delete ----------------------------------------------------------

def test_create_writes_one_entry_with_the_full_record(product, users, team_a):
    start = last_id()
    with mock.patch("django.utils.timezone.now", return_value=NOON_UTC):
        persona = f.persona(product, by=users["marketer"], name="Paula")
    [entry] = new_entries(start)
    assert entry.action == "create"
    assert entry.actor == users["marketer"]
    assert entry.actor_name == "marketer"
    assert entry.content_type == ct(m.Persona)
    assert entry.object_id == str(persona.pk)
    assert entry.object_repr == "Paula"
    assert entry.root_type == ct(m.Product)
    assert entry.root_id == str(product.pk)
    assert entry.team_id == team_a.pk
    assert entry.created_at == NOON_UTC
    assert entry.created_at.utcoffset() == dt.timedelta(0)
    assert entry.request_id == ""  # not inside a request
    assert entry.changes == {"after": {
        "id": persona.pk, "product_id": product.pk, "kind": "buyer", "name": "Paula",
        "age_min": 30, "age_max": 45, "gender": "any", "location": "Shanghai",
        "education": "bachelor", "title": "Head of procurement", "income_level": "upper_middle",
        "goals": "", "challenges": "", "personality_traits": "",
    }}


def test_time_is_stored_in_utc_whatever_zone_is_active(product, users):
    start = last_id()
    shanghai_evening = dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with timezone.override("Asia/Shanghai"), \
            mock.patch("django.utils.timezone.now", return_value=shanghai_evening):
        f.persona(product, by=users["marketer"])
    [entry] = new_entries(start)
    entry.refresh_from_db()
    assert entry.created_at == NOON_UTC
    assert entry.created_at.tzinfo == dt.UTC


def test_product_create_records_its_seeded_records(users, team_a):
    start = last_id()
    product = f.product(team_a, by=users["marketer"], name="Atlas")
    entries = new_entries(start)
    assert [(e.action, e.content_type.model) for e in entries] == [
        ("create", "product"), ("create", "visiondocument"),
        ("create", "reviewquestion"), ("create", "reviewquestion"),
        ("create", "reviewquestion"), ("create", "reviewquestion"),
    ]
    assert {e.root_id for e in entries} == {str(product.pk)}
    assert {e.actor_id for e in entries} == {users["marketer"].pk}


def test_update_stores_only_the_changed_fields(product, users):
    persona = f.persona(product, by=users["marketer"], title="Buyer", location="Beijing")
    start = last_id()
    services.personas.update(persona, by=users["team_leader"], title="Chief buyer",
                             location="Beijing", age_max=50)
    [entry] = new_entries(start)
    assert entry.action == "update"
    assert entry.actor == users["team_leader"]
    assert entry.object_id == str(persona.pk)
    assert entry.changes == {
        "before": {"title": "Buyer", "age_max": 45},
        "after": {"title": "Chief buyer", "age_max": 50},
    }


def test_an_update_that_changes_nothing_writes_no_entry(product, users):
    persona = f.persona(product, by=users["marketer"], title="Buyer")
    start = last_id()
    same = services.personas.update(persona, by=users["marketer"], title="Buyer")
    assert new_entries(start) == []
    assert same.title == "Buyer"


def test_update_records_many_to_many_changes(team_a, users):
    p1 = f.product(team_a, name="One")
    p2 = f.product(team_a, name="Two")
    rival = f.competitor(team_a, by=users["marketer"])
    start = last_id()
    services.competitors.update(rival, by=users["marketer"], m2m={"products": [p2, p1]})
    [entry] = new_entries(start)
    assert entry.changes == {"before": {"products": []},
                             "after": {"products": sorted([p1.pk, p2.pk])}}


def test_delete_writes_one_entry_with_the_last_values(product, users):
    persona = f.persona(product, by=users["marketer"], name="Paula")
    pk = persona.pk
    start = last_id()
    services.personas.delete(persona, by=users["team_leader"])
    [entry] = new_entries(start)
    assert entry.action == "delete"
    assert entry.actor == users["team_leader"]
    assert entry.object_id == str(pk)
    assert entry.object_repr == "Paula"
    assert entry.message == ""
    assert entry.changes["before"]["name"] == "Paula"
    assert entry.changes["before"]["product_id"] == product.pk
    assert set(entry.changes) == {"before"}
    assert not m.Persona.objects.filter(pk=pk).exists()


def test_deleting_a_product_records_every_cascaded_row(product, users, team_a):
    personas = [f.persona(product, name="Paula"), f.persona(product, name="Uma", kind="user")]
    note = f.research_note(team_a, product=product)
    other = f.product(team_a, name="Other")
    product_pk, vision_pk = product.pk, product.vision.pk
    question_pks = list(product.review_questions.values_list("pk", flat=True))
    start = last_id()
    services.products.delete(product, by=users["director"])
    entries = new_entries(start)

    deleted = sorted((e.content_type.model, int(e.object_id)) for e in entries
                     if e.action == "delete")
    assert deleted == sorted(
        [("product", product_pk), ("visiondocument", vision_pk)]
        + [("reviewquestion", pk) for pk in question_pks]
        + [("persona", p.pk) for p in personas]
    )
    assert entries[0].content_type.model == "product"
    assert entries[0].message == ""
    assert {e.message for e in entries[1:]} == {"cascade from Atlas"}
    assert {e.actor_id for e in entries} == {users["director"].pk}
    # The research note survives, its link to the product is cleared: also recorded.
    [cleared] = [e for e in entries if e.action == "update"]
    assert (cleared.content_type.model, cleared.object_id) == ("researchnote", str(note.pk))
    assert cleared.changes == {"before": {"product_id": product_pk}, "after": {"product_id": None}}
    note.refresh_from_db()
    assert note.product_id is None
    assert m.Product.objects.filter(pk=other.pk).exists()
    assert len(entries) == 1 + 1 + 4 + 2 + 1


def test_deleting_a_competitor_linked_to_a_product_keeps_the_product(team_a, product, users):
    rival = f.competitor(team_a, m2m={"products": [product]})
    start = last_id()
    services.competitors.delete(rival, by=users["director"])
    entries = new_entries(start)
    # The m2m link row is part of the competitor's record, not an entry of its own.
    assert [(e.action, e.content_type.model) for e in entries] == [("delete", "competitor")]
    assert entries[0].changes["before"]["products"] == [product.pk]
    assert m.Product.objects.filter(pk=product.pk).exists()


def test_a_failed_write_records_nothing(product, users):
    start = last_id()
    with pytest.raises(ValidationError):
        f.persona(product, by=users["marketer"], age_min=50, age_max=30)
    assert new_entries(start) == []


# --- history ---------------------------------------------------------------------------

def test_history_of_a_product_includes_its_children(team_a, users):
    atlas = f.product(team_a, by=users["marketer"], name="Atlas")
    other = f.product(team_a, by=users["marketer"], name="Other")
    persona = f.persona(atlas, by=users["marketer"])
    statement = f.statement(atlas, by=users["marketer"])
    variant = f.variant(statement, by=users["marketer"])
    services.personas.update(persona, by=users["marketer"], title="CFO")
    f.persona(other, by=users["marketer"])

    rows = [(e.action, e.content_type.model, e.object_id) for e in audit.history_for(atlas)]
    questions = list(atlas.review_questions.order_by("-pk"))
    assert rows == [  # newest first
        ("update", "persona", str(persona.pk)),
        ("create", "positioningvariant", str(variant.pk)),
        ("create", "positioningstatement", str(statement.pk)),
        ("create", "persona", str(persona.pk)),
        *[("create", "reviewquestion", str(q.pk)) for q in questions],
        ("create", "visiondocument", str(atlas.vision.pk)),
        ("create", "product", str(atlas.pk)),
    ]


def test_history_of_a_child_lists_only_the_child(product, users):
    persona = f.persona(product, by=users["marketer"])
    services.personas.update(persona, by=users["marketer"], title="CFO")
    rows = [(e.action, e.object_id) for e in audit.history_for(persona)]
    assert rows == [("update", str(persona.pk)), ("create", str(persona.pk))]


# --- append-only ----------------------------------------------------------------------

def test_entries_cannot_be_changed_or_removed(product):
    entry = AuditEntry.objects.filter(content_type=ct(m.Product)).get()
    count = AuditEntry.objects.count()
    entry.message = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(message="tampered")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.update(message="tampered")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["message"])
    assert AuditEntry.objects.count() == count
    entry.refresh_from_db()
    assert entry.message == ""


# --- request ids ----------------------------------------------------------------------

def _api_create(client, team, name, **headers):
    return client.post("/api/v1/strategy/products", {"team": team.pk, "name": name},
                       content_type="application/json", headers=headers)


def test_api_write_carries_the_callers_request_id(users, team_a, api_client_for):
    client = api_client_for(users["marketer"])
    start = last_id()
    response = _api_create(client, team_a, "Atlas", **{"X-Request-ID": "deploy-42.a_b"})
    assert response.status_code == 201
    assert response["X-Request-ID"] == "deploy-42.a_b"
    entries = new_entries(start)
    assert len(entries) == 6
    assert {e.request_id for e in entries} == {"deploy-42.a_b"}
    assert {e.actor_id for e in entries} == {users["marketer"].pk}


def test_request_id_is_generated_when_absent(users, team_a, api_client_for):
    client = api_client_for(users["marketer"])
    start = last_id()
    response = _api_create(client, team_a, "Atlas")
    rid = response["X-Request-ID"]
    assert HEX32.match(rid)
    assert {e.request_id for e in new_entries(start)} == {rid}
    # Every request gets its own.
    start = last_id()
    response = _api_create(client, team_a, "Beta")
    assert response["X-Request-ID"] != rid
    assert {e.request_id for e in new_entries(start)} == {response["X-Request-ID"]}


@pytest.mark.parametrize("bad", ["abc def", "x" * 200, "x" * 65, "<script>", "a;b", "ünï"])
def test_a_bad_request_id_header_is_replaced(bad, users, team_a, api_client_for):
    client = api_client_for(users["marketer"])
    start = last_id()
    response = _api_create(client, team_a, "Atlas", **{"X-Request-ID": bad})
    assert response.status_code == 201
    rid = response["X-Request-ID"]
    assert HEX32.match(rid)
    assert {e.request_id for e in new_entries(start)} == {rid}


def test_a_64_character_request_id_is_kept(users, team_a, api_client_for):
    client = api_client_for(users["marketer"])
    rid = "r" * 64
    start = last_id()
    _api_create(client, team_a, "Atlas", **{"X-Request-ID": rid})
    assert {e.request_id for e in new_entries(start)} == {rid}


def test_request_id_does_not_leak_out_of_the_request(users, team_a, api_client_for):
    _api_create(api_client_for(users["marketer"]), team_a, "Atlas", **{"X-Request-ID": "req-1"})
    start = last_id()
    f.product(team_a, name="Offline")
    assert {e.request_id for e in new_entries(start)} == {""}


def test_core_create_and_update_validate_before_writing(team_a):
    start = last_id()
    with pytest.raises(ValidationError) as info:
        core.create(m.Product, by=None, team_id=team_a.pk, name="")
    assert set(info.value.message_dict) == {"name"}
    assert new_entries(start) == []
    assert m.Product.objects.count() == 0
