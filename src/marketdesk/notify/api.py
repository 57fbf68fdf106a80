"""REST API of notify under /api/v1/notify: the caller's inbox, the team webhooks and
their delivery log. Webhook addresses are returned without their access token and the
signing secret is write-only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.api import READ_ERRORS, WRITE_ERRORS
from marketdesk.core.crud_api import PageIn
from marketdesk.notify import services
from marketdesk.notify.models import Delivery, Notification, WebhookEndpoint
from marketdesk.notify.vendors import Vendor

router = Router(tags=["notify"])

VendorName = Literal["feishu", "dingtalk", "wecom", "slack"]
StatusName = Literal["pending", "retrying", "sent", "failed"]


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    team: int | None = Field(None, alias="team_id")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


class InboxFilter(Schema):
    unread: bool | None = Field(None, description="only unread (true) or only read (false)")


class ReadAllOut(Schema):
    updated: int


def _own(request):
    return Notification.objects.filter(recipient=request.user)


@router.get("/notifications", response={200: NotificationPage, **READ_ERRORS},
            summary="The caller's notifications, unread first")
def notification_list(request, filters: Query[InboxFilter], paging: Query[PageIn]):
    qs = _own(request)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    qs = qs.annotate(read_rank=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
                     ).order_by("read_rank", "-created_at", "-id")
    start = (paging.page - 1) * paging.page_size
    return {"count": qs.count(), "unread": services.unread_count(request.user),
            "page": paging.page, "page_size": paging.page_size,
            "items": list(qs[start: start + paging.page_size])}


@router.post("/notifications/{int:notification_id}/read",
             response={200: NotificationOut, **READ_ERRORS}, summary="Mark one notification read")
def notification_read(request, notification_id: int):
    note = get_object_or_404(_own(request), pk=notification_id)
    return services.mark_read(note, by=request.user)


@router.post("/notifications/read-all", response={200: ReadAllOut, **READ_ERRORS},
             summary="Mark all the caller's notifications read")
def notification_read_all(request):
    return {"updated": services.mark_all_read(request.user)}


class WebhookOut(Schema):
    id: int
    team: int = Field(..., alias="team_id")
    name: str
    vendor: str
    url: str = Field(..., alias="url_display", description="the address without its token")
    signed: bool
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_signed(obj):
        return bool(obj.secret)


class WebhookIn(Schema):
    team: int
    name: str = Field(..., max_length=100)
    vendor: VendorName
    url: str = Field(..., max_length=1000)
    secret: str = Field("", max_length=200, description="Feishu/DingTalk signing secret (write-only)")
    enabled: bool = True


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=100)
    vendor: VendorName | None = None
    url: str | None = Field(None, max_length=1000)
    secret: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status_code: int | None
    error_kind: str
    error: str


class DeliveryOut(Schema):
    id: int
    endpoint: int = Field(..., alias="endpoint_id")
    kind: str
    title: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    error_kind: str
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_attempt_log(obj):
        return list(obj.attempt_log.all())


class DeliveryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DeliveryOut]


class DeliveryFilter(Schema):
    status: StatusName | None = None


class WebhookFilter(Schema):
    team: int | None = None


@router.get("/webhooks", response={200: list[WebhookOut], **READ_ERRORS},
            summary="The team webhooks the caller can see")
def webhook_list(request, filters: Query[WebhookFilter]):
    qs = gate.restrict(WebhookEndpoint.objects.all(), request.user).order_by("team__name", "name")
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    return list(qs)


@router.post("/webhooks", response={201: WebhookOut, **WRITE_ERRORS},
             summary="Add a team webhook (the address is checked, DNS included)")
def webhook_create(request, payload: WebhookIn):
    if not gate.can(request.user, "add", WebhookEndpoint):
        raise PermissionDenied
    team = Team.objects.filter(pk=payload.team).first()
    if team is None or not gate.in_scope(request.user, team.pk):
        raise ValidationError({"team": [ValidationError(_("Not one of your teams."), code="scope")]})
    endpoint = services.webhook_create(
        team=team, vendor=Vendor(payload.vendor), url=payload.url, secret=payload.secret,
        name=payload.name, enabled=payload.enabled, by=request.user)
    return Status(201, endpoint)


@router.get("/webhooks/{int:webhook_id}", response={200: WebhookOut, **READ_ERRORS},
            summary="Read one team webhook")
def webhook_get(request, webhook_id: int):
    return gate.get_object(WebhookEndpoint.objects.all(), request.user, "view", pk=webhook_id)


@router.patch("/webhooks/{int:webhook_id}", response={200: WebhookOut, **WRITE_ERRORS},
              summary="Change a team webhook")
def webhook_update(request, webhook_id: int, payload: WebhookPatch):
    endpoint = gate.get_object(WebhookEndpoint.objects.all(), request.user, "change", pk=webhook_id)
    return services.webhook_update(endpoint, by=request.user, **payload.model_dump(exclude_unset=True))


@router.delete("/webhooks/{int:webhook_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a team webhook and its delivery log")
def webhook_delete(request, webhook_id: int):
    endpoint = gate.get_object(WebhookEndpoint.objects.all(), request.user, "delete", pk=webhook_id)
    services.webhook_delete(endpoint, by=request.user)
    return Status(204, None)


@router.post("/webhooks/{int:webhook_id}/test", response={202: DeliveryOut, **WRITE_ERRORS},
             summary="Queue a test message to a team webhook")
def webhook_test(request, webhook_id: int):
    endpoint = gate.get_object(WebhookEndpoint.objects.select_related("team"), request.user,
                               "view", pk=webhook_id)
    if not gate.can(request.user, "add", Delivery):
        raise PermissionDenied
    delivery = services.webhook_test(endpoint, by=request.user)
    return Status(202, Delivery.objects.prefetch_related("attempt_log").get(pk=delivery.pk))


@router.get("/webhooks/{int:webhook_id}/deliveries", response={200: DeliveryPage, **READ_ERRORS},
            summary="The delivery log of a team webhook, newest first")
def delivery_list(request, webhook_id: int, filters: Query[DeliveryFilter],
                  paging: Query[PageIn]):
    endpoint = gate.get_object(WebhookEndpoint.objects.all(), request.user, "view", pk=webhook_id)
    qs = endpoint.deliveries.order_by("-created_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    start = (paging.page - 1) * paging.page_size
    items = list(qs.prefetch_related("attempt_log")[start: start + paging.page_size])
    return {"count": qs.count(), "page": paging.page, "page_size": paging.page_size,
            "items": items}


