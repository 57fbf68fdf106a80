"""REST interface of the SOP engine under /api/v1/sop: definitions (read, validate, team
copies), runs (state and timeline; advance, tick, review) with optimistic locking — a
stale ``expected_version`` is a 409 — the review inbox and the cadence calendar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.api import READ_ERRORS, WRITE_ERRORS, ErrorOut
from marketdesk.sop import services
from marketdesk.sop.definitions import DefinitionError, parse
from marketdesk.sop.models import ProcessDefinition, ProcessRun, Review

router = Router(tags=["sop"])


class DefinitionOut(Schema):
    id: int
    key: str
    version: int
    team: int | None = Field(None, alias="team_id")
    name_en: str
    name_zh: str
    is_active: bool
    is_builtin: bool
    created_at: dt.datetime


class DefinitionDetailOut(DefinitionOut):
    yaml_text: str
    spec: dict
    rules: list[str]

    @staticmethod
    def resolve_rules(obj):
        return obj.parsed.rules()


class ProblemOut(Schema):
    line: int | None
    path: str
    message: str


class ValidateIn(Schema):
    yaml_text: str = Field(..., max_length=200_000)


class ValidateOut(Schema):
    valid: bool
    key: str | None = None
    problems: list[ProblemOut] = []


class CopyIn(Schema):
    team: int
    yaml_text: str = Field(..., max_length=200_000)


class TimelineOut(Schema):
    key: str
    label: str
    stage: str
    kind: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    state: str
    rule: str
    basis: str
    escalation_level: int


class RunOut(Schema):
    id: int
    item_type: str
    item_id: int
    team: int
    definition_key: str
    definition_version: int
    stage: str
    stage_label: str
    status: str
    version: int
    started_at: dt.datetime
    completed_at: dt.datetime | None
    timeline: list[TimelineOut]


class AdvanceIn(Schema):
    to_stage: str | None = None
    expected_version: int = Field(..., ge=1)


class TickIn(Schema):
    item_key: str
    checked: bool
    expected_version: int = Field(..., ge=1)


class ReviewIn(Schema):
    decision: Literal["approved", "changes_requested"]
    comment: str = Field("", max_length=4000)
    expected_version: int = Field(..., ge=1)


class ReviewOut(Schema):
    id: int
    run: int
    stage: str
    step: str
    step_label: str
    role: str
    round: int
    decision: str
    reviewer: int | None
    comment: str
    decided_at: dt.datetime | None
    item_url: str = ""


class CadenceOut(Schema):
    key: str
    label: str
    day: dt.date
    at: dt.datetime | None
    rule: str


def _visible_definitions(user):
    gate.restrict(ProcessDefinition.objects.all(), user, "view")
    return (ProcessDefinition.objects.filter(team__isnull=True)
            | gate.scope(ProcessDefinition.objects.filter(team__isnull=False), user))


def _get_definition(request, definition_id: int) -> ProcessDefinition:
    try:
        return _visible_definitions(request.user).get(pk=definition_id)
    except ProcessDefinition.DoesNotExist:
        raise Http404 from None


def _run_out(run: ProcessRun) -> dict:
    return {
        "id": run.pk, "item_type": run.content_type.model_class()._meta.label, "item_id": run.object_id,
        "team": run.team_id, "definition_key": run.definition.key,
        "definition_version": run.definition.version, "stage": run.stage,
        "stage_label": str(run.stage_label), "status": run.status, "version": run.version,
        "started_at": run.started_at, "completed_at": run.completed_at,
        "timeline": [{**e.__dict__, "label": str(e.label)} for e in services.timeline(run)],
    }


def _review_out(review: Review) -> dict:
    item = review.run.item
    return {
        "id": review.pk, "run": review.run_id, "stage": review.stage, "step": review.step,
        "step_label": str(review.step_label), "role": review.role, "round": review.round,
        "decision": review.decision, "reviewer": review.reviewer_id, "comment": review.comment,
        "decided_at": review.decided_at,
        "item_url": item.get_absolute_url() if item is not None and hasattr(item, "get_absolute_url") else "",
    }


def _get_run(request, run_id: int) -> ProcessRun:
    return gate.get_object(ProcessRun.objects.select_related("definition", "team", "content_type"),
                           request.user, "view", pk=run_id)


def _conflict(exc: services.ConcurrentChange):
    return Status(409, {"detail": exc.message, "errors": []})


@router.get("/definitions", response={200: list[DefinitionOut], **READ_ERRORS})
def list_definitions(request, key: str | None = None):
    qs = _visible_definitions(request.user).order_by("key", "team_id", "-version")
    if key:
        qs = qs.filter(key=key)
    return list(qs)


@router.get("/definitions/{int:definition_id}", response={200: DefinitionDetailOut, **READ_ERRORS})
def get_definition(request, definition_id: int):
    return _get_definition(request, definition_id)


@router.get("/definitions/{int:definition_id}/flowchart.svg", response={200: None, **READ_ERRORS})
def get_flowchart(request, definition_id: int):
    definition = _get_definition(request, definition_id)
    return HttpResponse(services.flowchart_svg(definition), content_type="image/svg+xml; charset=utf-8")


@router.post("/definitions/validate", response={200: ValidateOut, **READ_ERRORS})
def validate_definition(request, payload: ValidateIn):
    """Check a definition without saving it: every problem with its line and key path."""
    try:
        spec = parse(payload.yaml_text)
    except DefinitionError as exc:
        return {"valid": False, "problems": [p.__dict__ for p in exc.problems]}
    return {"valid": True, "key": spec["key"], "problems": []}


@router.post("/definitions/{int:definition_id}/copies", response={201: DefinitionOut, 200: DefinitionOut, **WRITE_ERRORS})
def save_copy(request, definition_id: int, payload: CopyIn):
    """Save the team's edited copy of a definition as its next version (team leader,
    director or admin). 200 with the existing version when nothing changed."""
    source = _get_definition(request, definition_id)
    if not Team.objects.filter(pk=payload.team).exists() or not gate.in_scope(request.user, payload.team):
        return Status(422, {"detail": _("The request is not valid."),
                            "errors": [{"field": "team", "message": _("Not one of your teams."), "code": "scope"}]})
    try:
        saved, created = services.definition_save_copy(source, team=payload.team,
                                                       yaml_text=payload.yaml_text, by=request.user)
    except DefinitionError as exc:
        return Status(422, {"detail": _("The definition is not valid."),
                            "errors": [{"field": "yaml_text", "message": str(p), "code": "definition"}
                                       for p in exc.problems]})
    return Status(201 if created else 200, saved)


@router.get("/runs/{int:run_id}", response={200: RunOut, **READ_ERRORS})
def get_run(request, run_id: int):
    return _run_out(_get_run(request, run_id))


@router.post("/runs/{int:run_id}/advance", response={200: RunOut, **WRITE_ERRORS})
def advance_run(request, run_id: int, payload: AdvanceIn):
    """Leave the current stage through its gate (422 names what is missing)."""
    run = _get_run(request, run_id)
    try:
        run = services.run_advance(run, to_stage=payload.to_stage, by=request.user,
                                   expected_version=payload.expected_version)
    except services.ConcurrentChange as exc:
        return _conflict(exc)
    return _run_out(_get_run(request, run.pk))


@router.post("/runs/{int:run_id}/tick", response={200: RunOut, **WRITE_ERRORS})
def tick_run(request, run_id: int, payload: TickIn):
    run = _get_run(request, run_id)
    try:
        services.run_tick(run, item_key=payload.item_key, checked=payload.checked, by=request.user,
                          expected_version=payload.expected_version)
    except services.ConcurrentChange as exc:
        return _conflict(exc)
    return _run_out(_get_run(request, run.pk))


@router.post("/runs/{int:run_id}/review", response={200: ReviewOut, **WRITE_ERRORS})
def review_run(request, run_id: int, payload: ReviewIn):
    """Take the review step whose turn it is (your role, not your own item)."""
    run = _get_run(request, run_id)
    try:
        review = services.run_review(run, decision=payload.decision, by=request.user,
                                     comment=payload.comment, expected_version=payload.expected_version)
    except services.ConcurrentChange as exc:
        return _conflict(exc)
    return _review_out(review)


@router.get("/reviews", response={200: list[ReviewOut], **READ_ERRORS})
def review_inbox(request):
    """The caller's review inbox."""
    return [_review_out(r) for r in services.pending_reviews_for(request.user)]


class CadenceQuery(Schema):
    team: int
    start: dt.date
    end: dt.date


@router.get("/cadences", response={200: list[CadenceOut], **READ_ERRORS})
def cadences(request, query: Query[CadenceQuery]):
    """Occurrences of the team's cadences on local days start ≤ day < end (≤ 400 days)."""
    if not gate.in_scope(request.user, query.team) or not Team.objects.filter(pk=query.team).exists():
        raise PermissionDenied
    if query.end <= query.start or (query.end - query.start).days > 400:
        return Status(422, {"detail": _("The request is not valid."),
                            "errors": [{"field": "end", "message": _("end must be after start, at most 400 days later."),
                                        "code": "range"}]})
    return [{**o.__dict__, "label": str(o.label)}
            for o in services.cadence_occurrences(query.start, query.end, query.team)]


__all__ = ["router", "ErrorOut"]
