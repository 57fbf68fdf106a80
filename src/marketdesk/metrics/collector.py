"""The collector (O14): ``POST /collect`` takes batches of events from the tracking snippet
(``static/metrics/md-track.js``) and stores them as touchpoints (and identities).

A public endpoint: no session, no CSRF token (there is no signed-in user to protect), but
the browser's ``Origin`` must be this site or one of ``MARKETDESK_COLLECT_ORIGINS``. The
body is JSON ``{"events": [...]}`` sent as ``application/json`` or ``text/plain`` (what
``navigator.sendBeacon`` sends cross-origin without a preflight); at most
``MAX_BODY_BYTES`` and ``MAX_EVENTS`` events, else 413.

Events are independent: each is validated on its own, the good ones are stored even when
others in the batch are bad, and the answer lists the rejected ones with the reason. The
answer is sent only after the stored events are durable (``store.append``), so a sender
that gets no answer sends the batch again — the event ids make that harmless.

Event shape (all text unless said)::

    {"id": "<uuid>", "type": "page_view" | "identify" | "track", "ts": "<ISO 8601>",
     "anonymous_id": "...", "person_id": "...", "url": "...", "referrer": "...",
     "utm_source": "...", "utm_medium": "...", "utm_campaign": "...", "utm_term": "...",
     "utm_content": "...", "properties": {...},
     "name": "<track: event name>", "email": "<identify: address>"}

An ``identify`` event (a form submission that names the visitor) writes an identity —
the anonymous id → the person, with the SHA-256 of the address; the address itself is
never stored — and a ``form_submit`` touchpoint. A ``track`` event whose name is an event
type of the schema (``cta_click``, ``subscribe``, …) is stored as that type; any other name
is a ``custom`` touchpoint with the name in ``properties.event``.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from marketdesk.metrics import ingest, schema

MAX_BODY_BYTES = 1024 * 1024
MAX_EVENTS = 1000
ORIGIN = "collector"
EVENT_KINDS = ("page_view", "identify", "track")
#: Event fields copied to the touchpoint as they are (ingest validates them).
_COPIED = {"ts": "ts", "anonymous_id": "anonymous_id", "person_id": "person_id",
           "account_id": "account_id", "url": "url", "referrer": "referrer",
           "utm_source": "source", "utm_medium": "medium", "utm_campaign": "campaign",
           "utm_term": "term", "utm_content": "content", "content_id": "content_id",
           "value": "value", "properties": "properties"}
_EVENT_FIELDS = frozenset({*_COPIED, "id", "type", "name", "email"})
#: Touchpoint column → the event field it came from (to name errors as the sender wrote).
_FIELD_OF = {column: key for key, column in _COPIED.items()} | {"event_id": "id",
                                                                "event_type": "type"}
_UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_UTM_SET = frozenset(_UTM_KEYS)
_TRACK_TYPES = frozenset(schema.EVENT_TYPES) - {"page_view", "form_submit"}


def email_hash(email: str) -> str:
    """SHA-256 of the trimmed, lower-cased address: how an e-mail is stored (never raw)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class _Rejected(Exception):
    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason


def _allowed_origin(request, origin: str) -> bool:
    if origin in settings.MARKETDESK_COLLECT_ORIGINS:
        return True
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except Exception:  # noqa: BLE001 — DisallowedHost: not our site, so not allowed
        return False
    return origin == own


def _cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _problem(status: int, detail: str, origin: str | None = None) -> JsonResponse:
    return _cors(JsonResponse({"detail": detail}, status=status), origin)


def _utm_from_url(url) -> dict[str, str]:
    """UTM parameters of the landing URL, for senders that did not split them out."""
    if not isinstance(url, str) or "utm_" not in url:
        return {}
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return {k: v for k, v in parse_qsl(query) if k in _UTM_KEYS}


def _touch(event: dict) -> tuple[dict, dict | None]:
    """An event → its touchpoint row and, for ``identify``, its identity row."""
    unknown = sorted(event.keys() - _EVENT_FIELDS)
    if unknown:
        raise _Rejected(str(unknown[0]), _("“%(field)s” is not a field of a collector event.")
                        % {"field": str(unknown[0])[:40]})
    event_id = event.get("id")
    if event_id is None or event_id == "":
        raise _Rejected("id", _("The event has no id: the sender must give every event a unique "
                                "id (the snippet uses crypto.randomUUID)."))
    kind = event.get("type")
    if kind not in EVENT_KINDS:
        raise _Rejected("type", _("“%(value)s” is not an event type of the collector; expected "
                                  "page_view, identify or track.") % {"value": str(kind)[:40]})
    row = {"event_id": event_id}
    has_utm = False
    for key, value in event.items():
        column = _COPIED.get(key)
        if column is not None:
            row[column] = value
            has_utm = has_utm or key in _UTM_SET
    if not has_utm:
        for key, value in _utm_from_url(event.get("url")).items():
            row[_COPIED[key]] = value
    identity = None
    if kind == "page_view":
        row["event_type"] = "page_view"
    elif kind == "track":
        name = event.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise _Rejected("name", _("A track event needs a name (text of at most 200 "
                                      "characters)."))
        name = name.strip()
        if name in _TRACK_TYPES:
            row["event_type"] = name
        else:
            row["event_type"] = "custom"
            properties = event.get("properties")
            if properties is None:
                properties = {}
            if not isinstance(properties, dict):
                raise _Rejected("properties", _("The properties are not a JSON object."))
            row["properties"] = {"event": name, **properties}
    else:  # identify
        email = event.get("email")
        if not isinstance(email, str) or "@" not in email or len(email) > 254 \
                or any(c.isspace() for c in email.strip()):
            raise _Rejected("email", _("An identify event needs an e-mail address."))
        hashed = email_hash(email)
        person = event.get("person_id") or f"email:{hashed}"
        row["event_type"] = "form_submit"
        row["person_id"] = person
        properties = event.get("properties")
        if isinstance(properties, dict):
            # The address is kept only as its hash, never in the properties.
            row["properties"] = {k: v for k, v in properties.items() if k != "email"}
        identity = {"event_id": event_id, "ts": event.get("ts"),
                    "anonymous_id": event.get("anonymous_id"), "person_id": person,
                    "email_hash": hashed, "account_id": event.get("account_id")}
    return row, identity


def store_events(events: list) -> dict:
    """Validate and store a batch of collector events; the answer of ``/collect``."""
    rejected: dict[int, list[tuple[str, str]]] = {}
    touches: list[dict] = []
    touch_index: list[int] = []
    identities: list[dict] = []
    identity_index: list[int] = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            rejected[index] = [("", _("The event is not a JSON object."))]
            continue
        try:
            row, identity = _touch(event)
        except _Rejected as exc:
            rejected[index] = [(exc.field, exc.reason)]
            continue
        touches.append(row)
        touch_index.append(index)
        if identity is not None:
            identities.append(identity)
            identity_index.append(index)
    touch_data, touch_errors = ingest.prepare("touchpoints", touches, row_numbers=touch_index)
    id_data, id_errors = ingest.prepare("identities", identities, row_numbers=identity_index)
    for error in (*touch_errors, *id_errors):
        field = _FIELD_OF.get(error.field, error.field)
        if (field, error.reason) not in rejected.setdefault(error.row, []):
            rejected[error.row].append((field, error.reason))
    # An event is stored whole or not at all: drop the rows of events bad in either table.
    bad = set(rejected)
    touch_bad = {e.row for e in touch_errors}
    id_bad = {e.row for e in id_errors}
    touch_good = [i for i in touch_index if i not in touch_bad]
    id_good = [i for i in identity_index if i not in id_bad]
    if any(i in bad for i in touch_good):
        touch_data = touch_data.filter([i not in bad for i in touch_good])
    if any(i in bad for i in id_good):
        id_data = id_data.filter([i not in bad for i in id_good])
    all_errors = [ingest.FactError(index, field, reason)
                  for index in sorted(rejected) for field, reason in rejected[index]]
    # Identities first: touchpoints of this batch are stitched to them.
    if identities:
        identify = set(identity_index)
        ingest.commit("identities", id_data, [e for e in all_errors if e.row in identify],
                      received=len(identities), origin=ORIGIN, skip_bad_rows=True)
    result = ingest.commit("touchpoints", touch_data, all_errors, received=len(events),
                           origin=ORIGIN, skip_bad_rows=True)
    return {"accepted": result.written, "duplicates": result.duplicates,
            "rejected": [{"index": e.row, "field": e.field, "reason": e.reason}
                         for e in all_errors]}


@csrf_exempt
def collect(request):
    """``POST /collect``: 200 ``{"accepted", "duplicates", "rejected": [{index, field,
    reason}]}`` once the accepted events are durable; 204 a CORS preflight; 400 not JSON
    or not ``{"events": [...]}``; 403 an Origin not allowed; 405 another method; 413 a
    body over 1 MiB or more than 1,000 events."""
    origin = request.headers.get("Origin")
    if origin is not None and not _allowed_origin(request, origin):
        return _problem(403, _("This site may not send events here: its origin is not in "
                               "MARKETDESK_COLLECT_ORIGINS."))
    if request.method == "OPTIONS":
        response = _cors(HttpResponse(status=204), origin)
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method != "POST":
        response = _problem(405, _("Send events with POST."), origin)
        response["Allow"] = "POST, OPTIONS"
        return response
    too_big = _("The body is larger than %(max)d bytes; send smaller batches.") % {
        "max": MAX_BODY_BYTES}
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _problem(413, too_big, origin)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _problem(413, too_big, origin)
    try:
        payload = json.loads(body)
    except ValueError:
        return _problem(400, _("The body is not valid JSON."), origin)
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        return _problem(400, _('The body must be a JSON object {"events": [...]}.'), origin)
    if len(events) > MAX_EVENTS:
        return _problem(413, _("A batch holds at most %(max)d events; this one has %(n)d.") % {
            "max": MAX_EVENTS, "n": len(events)}, origin)
    return _cors(JsonResponse(store_events(events)), origin)
