"""Every write of notifications, webhooks and deliveries (STYLE 2, 6, 7).

The public interface other apps call:

- ``notify(recipients, kind=, title=, body=, url=, team=, by=, dedupe_key=)`` — inbox rows,
  emails and (with ``team``) one chat message per enabled webhook of the team, all after
  the transaction commits;
- ``mark_read(notification, by=)``, ``mark_all_read(user)``, ``unread_count(user)``;
- ``webhook_create`` / ``webhook_update`` / ``webhook_delete`` / ``webhook_test`` (audited);
- ``validate_webhook_url(url, resolve=True)`` (notify.safety);
- ``deliver(delivery_id)`` — one attempt of one delivery (run by ``tasks.deliver_task``);
  ``deliver_due()`` — re-queues the deliveries that are due (run by the scheduler).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketdesk.core import services as records
from marketdesk.notify import tasks, transport, vendors
from marketdesk.notify.models import Delivery, DeliveryAttempt, Notification, WebhookEndpoint
from marketdesk.notify.safety import ResolvedTarget, validate_webhook_url

__all__ = [
    "ResolvedTarget", "deliver", "deliver_due", "mark_all_read", "mark_read", "notify",
    "unread_count", "validate_webhook_url", "webhook_create", "webhook_delete",
    "webhook_test", "webhook_update",
]

logger = logging.getLogger(__name__)

#: Attempts of one delivery before it is given up (the first try included).
MAX_ATTEMPTS = 6
#: Wait after the n-th failed attempt: 1, 2, 4, 8, 16 minutes.
BACKOFF = [dt.timedelta(minutes=2**n) for n in range(MAX_ATTEMPTS - 1)]
#: How long a started attempt holds its delivery against a second worker.
LEASE = dt.timedelta(minutes=5)
RETRY_AFTER_MAX = dt.timedelta(hours=1)
TITLE_MAX = Notification._meta.get_field("title").max_length


def _now() -> dt.datetime:
    return timezone.now()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_link(url: str) -> None:
    """A link is a path inside MarketDesk ("/events/3/") or an http(s) address."""
    if url and not (url.startswith("/") and not url.startswith("//")
                    or url.startswith(("https://", "http://"))):
        raise ValidationError({"url": [ValidationError(
            _("A link must be a path starting with / or an http(s) address."), code="invalid")]})


def absolute_link(url: str) -> str:
    if url.startswith("/"):
        return settings.MARKETDESK_SITE_URL.rstrip("/") + url
    return url


# --- notifications -----------------------------------------------------------------------

def notify(recipients: Iterable, *, kind: str, title: str, body: str = "", url: str = "",
           team=None, by=None, dedupe_key: str = "") -> list[Notification]:
    """Tell people (and the team's chat groups) about something.

    One inbox notification per recipient — skipped for a recipient who already has one
    with the same non-empty ``dedupe_key`` — an email to each new recipient with an
    address, and, when ``team`` is given, one chat message per enabled webhook of that
    team (also de-duplicated by ``dedupe_key``). Mail and chat go out only after the
    surrounding transaction commits; nothing is sent if it rolls back. ``title`` and
    ``body`` are stored as given (already translated by the caller); the chat message's
    link label is written in the active language. Returns the notifications created.
    """
    kind, body, url = str(kind or ""), str(body or ""), str(url or "")
    _check_link(url)
    if not kind:
        raise ValidationError({"kind": [ValidationError(_("A notification needs a kind."),
                                                        code="required")]})
    title = _cut(" ".join(str(title).split()), TITLE_MAX)  # one line: it is a mail subject too
    if not title:
        raise ValidationError({"title": [ValidationError(_("A notification needs a title."),
                                                         code="required")]})
    people = list({user.pk: user for user in recipients if user is not None and user.is_active}
                  .values())
    created: list[Notification] = []
    with transaction.atomic():
        already: set[int] = set()
        if dedupe_key:
            already = set(Notification.objects.filter(
                recipient__in=[p.pk for p in people], dedupe_key=dedupe_key,
            ).values_list("recipient_id", flat=True))
        for person in people:
            if person.pk in already:
                continue
            note = Notification(recipient=person, team=team, actor=by, kind=kind, title=title,
                                body=body, url=url, dedupe_key=dedupe_key)
            try:
                with transaction.atomic():  # a concurrent call with the same key may win
                    note.save()
            except IntegrityError:
                continue
            created.append(note)
        deliveries = _deliveries_for_team(team, kind=kind, title=title, body=body, url=url,
                                          dedupe_key=dedupe_key) if team is not None else []
        # robust: a failing mail server or queue must not break the caller after its
        # commit (the inbox has the notification; deliver_due() finds a lost delivery).
        if created:
            transaction.on_commit(partial(_send_emails, [n.pk for n in created]), robust=True)
        for delivery in deliveries:
            transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
    return created


def _deliveries_for_team(team, *, kind, title, body, url, dedupe_key) -> list[Delivery]:
    endpoints = WebhookEndpoint.objects.filter(team=team, enabled=True).order_by("pk")
    if dedupe_key:
        endpoints = endpoints.exclude(deliveries__dedupe_key=dedupe_key)
    made = []
    for endpoint in endpoints:
        delivery = _delivery_new(endpoint, kind=kind, title=title, body=body, url=url,
                                 dedupe_key=dedupe_key)
        if delivery is not None:
            made.append(delivery)
    return made


def _delivery_new(endpoint, *, kind, title, body, url, dedupe_key="") -> Delivery | None:
    link = absolute_link(url)
    payload = vendors.build_payload(
        endpoint.vendor, title=title, body=body, link=link,
        link_label=_("Open in MarketDesk"), language=translation.get_language() or "en")
    delivery = Delivery(endpoint=endpoint, kind=kind, title=title, body=body, url=url,
                        payload=payload, dedupe_key=dedupe_key, next_attempt_at=_now())
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:  # the same dedupe_key reached this endpoint concurrently
        return None
    return delivery


def _email_for(note: Notification) -> EmailMessage:
    with translation.override(note.recipient.language or settings.LANGUAGE_CODE):
        lines = [note.body.strip()] if note.body.strip() else []
        if note.url:
            lines.append(_("Open: %(link)s") % {"link": absolute_link(note.url)})
        lines += ["", "—", _("Your MarketDesk inbox: %(link)s") % {
            "link": absolute_link(reverse("notify:inbox"))}]
        subject = f"[MarketDesk] {note.title}"
    return EmailMessage(subject=subject, body="\n".join(lines), to=[note.recipient.email])


def _send_emails(notification_ids: list[int]) -> None:
    notes = (Notification.objects.filter(pk__in=notification_ids).exclude(recipient__email="")
             .select_related("recipient").order_by("pk"))
    messages = [_email_for(note) for note in notes]
    if not messages:
        return
    try:
        mailers.default.send_messages(messages)
    except (smtplib.SMTPException, OSError):
        # The inbox has the notification; a mail server outage must not undo the work.
        logger.exception("notification email failed for %s", notification_ids)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(notification: Notification, *, by) -> Notification:
    """Mark one of ``by``'s own notifications read (someone else's is refused)."""
    if notification.recipient_id != by.pk:
        raise ValidationError(_("This notification belongs to someone else."), code="owner")
    now = _now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=_now())


# --- webhooks (audited through core.services) ---------------------------------------------

def webhook_create(*, team, vendor, url, secret="", name, by, enabled=True) -> WebhookEndpoint:
    validate_webhook_url(url)
    return records.create(WebhookEndpoint, by=by, team=team, vendor=vendor, url=url.strip(),
                          secret=secret.strip(), name=name, enabled=enabled)


def webhook_update(endpoint: WebhookEndpoint, *, by, **fields) -> WebhookEndpoint:
    """Change an endpoint; a new address is checked again (DNS included)."""
    if "team" in fields or "team_id" in fields:
        raise ValidationError({"team": [ValidationError(
            _("A webhook cannot move to another team."), code="team")]})
    if "url" in fields:
        fields["url"] = fields["url"].strip()
        if fields["url"] != endpoint.url:
            validate_webhook_url(fields["url"])
    if "secret" in fields:
        fields["secret"] = fields["secret"].strip()
    return records.update(endpoint, by=by, **fields)


def webhook_delete(endpoint: WebhookEndpoint, *, by) -> None:
    records.delete(endpoint, by=by)


def webhook_test(endpoint: WebhookEndpoint, *, by) -> Delivery:
    """Queue a test message to the endpoint (sent after commit, logged like any other)."""
    with transaction.atomic():
        delivery = _delivery_new(
            endpoint, kind="notify.test",
            title=_("MarketDesk test message"),
            body=_("If you can read this, the webhook “%(name)s” of team %(team)s works. "
                   "Sent by %(user)s.") % {"name": endpoint.name, "team": endpoint.team,
                                           "user": by},
            url=reverse("notify:delivery_log", args=[endpoint.pk]))
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return delivery


# --- delivery -----------------------------------------------------------------------------

def _enqueue(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    task = tasks.deliver_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # A backend that cannot wait (the immediate one, in tests): the scheduler's
            # deliver_due() or a later call picks the delivery up when it is due.
            return
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


@dataclass(frozen=True)
class Outcome:
    sent: bool
    status_code: int | None = None
    error_kind: str = ""
    error: str = ""
    retry: bool = False
    retry_after: dt.timedelta | None = None


def _retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as seconds or as an HTTP date, kept between 1 s and 1 h."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = dt.timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        wait = when - now
    return min(max(wait, dt.timedelta(seconds=1)), RETRY_AFTER_MAX)


def _rate_limited_until(endpoint: WebhookEndpoint, now: dt.datetime) -> dt.datetime | None:
    """When the next message may go without exceeding the vendor's limits (None: now)."""
    until = None
    for count, seconds in vendors.RATE_LIMITS[endpoint.vendor]:
        window = dt.timedelta(seconds=seconds)
        recent = list(DeliveryAttempt.objects.filter(
            endpoint=endpoint, started_at__gt=now - window,
        ).order_by("started_at").values_list("started_at", flat=True))
        if len(recent) >= count:
            # The slot frees when the attempt `count` places back leaves the window.
            free_at = recent[len(recent) - count] + window
            until = free_at if until is None else max(until, free_at)
    return until


def _send(endpoint: WebhookEndpoint, delivery: Delivery) -> Outcome:
    try:
        target = validate_webhook_url(endpoint.url)  # again at send time: DNS may have changed
    except ValidationError as exc:
        return Outcome(sent=False, error_kind=Delivery.ErrorKind.REFUSED,
                       error=" ".join(exc.messages))
    now = _now()
    path, body = vendors.signed_request(endpoint.vendor, delivery.payload, target.path,
                                        endpoint.secret, now.timestamp())
    try:
        answer = transport.post(target, path, body)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(sent=False, error_kind=Delivery.ErrorKind.NETWORK,
                       error=f"{type(exc).__name__}: {exc}"[:500], retry=True)
    status = answer.status
    if 200 <= status < 300:
        result = vendors.read_answer(endpoint.vendor, answer.body)
        if result.ok:
            return Outcome(sent=True, status_code=status)
        kind = Delivery.ErrorKind.RATE_LIMITED if result.retry else Delivery.ErrorKind.VENDOR
        return Outcome(sent=False, status_code=status, error_kind=kind, error=result.detail,
                       retry=result.retry)
    if 300 <= status < 400:
        location = answer.headers.get("location", "")
        return Outcome(sent=False, status_code=status, error_kind=Delivery.ErrorKind.REDIRECT,
                       error=f"{status} {answer.reason} → {location}"[:500])
    detail = f"{status} {answer.reason}: {vendors.error_detail(endpoint.vendor, answer.body)}"
    if status == 429 or status >= 500:
        kind = Delivery.ErrorKind.RATE_LIMITED if status == 429 else Delivery.ErrorKind.HTTP
        return Outcome(sent=False, status_code=status, error_kind=kind, error=detail[:500],
                       retry=True, retry_after=_retry_after(answer.headers.get("retry-after"), now))
    return Outcome(sent=False, status_code=status, error_kind=Delivery.ErrorKind.HTTP,
                   error=detail[:500])


def deliver(delivery_id: int) -> None:
    """Make one attempt to send a delivery, if it is due.

    The delivery is claimed under a row lock (a second worker finds it leased and
    leaves it); a send that would exceed the endpoint's rate limit is postponed to the
    moment a slot frees, without counting as an attempt. The HTTP request runs outside
    the transaction. Then: 2xx with the vendor's "ok" → sent; a network error, 5xx, 429
    or the vendor's "too many messages" → retrying after 1, 2, 4, 8, 16 minutes (429 and
    503: after Retry-After) and failed after the sixth attempt; any other answer
    (redirect, 4xx, vendor error, refused address, disabled webhook) → failed at once.
    """
    now = _now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().filter(pk=delivery_id)
                    .exclude(status__in=[Delivery.Status.SENT, Delivery.Status.FAILED]).first())
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return
        # Locking the endpoint serialises its rate-limit window across workers.
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if not endpoint.enabled:
            delivery.status = Delivery.Status.FAILED
            delivery.error_kind = Delivery.ErrorKind.DISABLED
            delivery.last_error = _("The webhook was disabled before the message went out.")
            delivery.next_attempt_at = None
            delivery.save()
            return
        wait_until = _rate_limited_until(endpoint, now)
        if wait_until is not None:
            delivery.next_attempt_at = wait_until
            delivery.save(update_fields=["next_attempt_at", "updated_at"])
            transaction.on_commit(partial(_enqueue, delivery.pk, wait_until))
            return
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        attempt = DeliveryAttempt.objects.create(delivery=delivery, endpoint=endpoint,
                                                 number=delivery.attempts, started_at=now)

    outcome = _send(endpoint, delivery)

    with transaction.atomic():
        finished = _now()
        attempt.finished_at = finished
        attempt.status_code = outcome.status_code
        attempt.error_kind = outcome.error_kind
        attempt.error = outcome.error
        attempt.save()
        delivery.last_status_code = outcome.status_code
        delivery.error_kind = outcome.error_kind
        delivery.last_error = outcome.error
        if outcome.sent:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = finished
            delivery.next_attempt_at = None
        elif outcome.retry and delivery.attempts < MAX_ATTEMPTS:
            wait = outcome.retry_after or BACKOFF[delivery.attempts - 1]
            delivery.status = Delivery.Status.RETRYING
            delivery.next_attempt_at = finished + wait
            transaction.on_commit(partial(_enqueue, delivery.pk, delivery.next_attempt_at))
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        delivery.save()


def deliver_due(limit: int = 500) -> int:
    """Queue every delivery that is due (a safety net for lost or un-deferrable tasks)."""
    due = list(Delivery.objects.filter(
        Q(next_attempt_at__lte=_now()) | Q(next_attempt_at__isnull=True),
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in due:
        tasks.deliver_task.enqueue(pk)
    return len(due)
