"""The SOP engine: every write on definitions and runs, and the read models of a run.

Rules (DESIGN "The SOP engine", DOMAIN O3–O15 and Conventions):
- a run keeps the definition version it started with; a new version applies to new runs;
- every deadline is computed in the team's zone when the run starts and again whenever the
  item's key dates, priority or flags change (``run_reschedule``); done deadlines stay;
- a stage is left only through its gate (checklist ticked, required fields present, every
  review step approved) and only to a declared next stage whose skipped stages do not apply;
- review steps are taken in order by a holder of the step's role who is neither the item's
  author nor its owner; "changes requested" returns the item to its author (the stage's
  reviews start a new round, the run stays in the stage);
- every write locks the run row and compares the ``version`` the user saw: two people acting
  at once cannot both win — the loser gets ``ConcurrentChange``;
- every transition, tick and review is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.accounts.models import Team
from marketdesk.core import audit
from marketdesk.core import permissions as gate
from marketdesk.core.roles import EDITORS, LEADERS, Role
from marketdesk.sop import deadlines as dl
from marketdesk.sop import items as item_registry
from marketdesk.sop import notices
from marketdesk.sop.definitions import (
    DeadlineRule,
    Definition,
    DefinitionError,
    Label,
    Problem,
    Stage,
    parse,
    shipped_files,
)
from marketdesk.sop.flowchart import flowchart_svg  # noqa: F401  (part of the engine API)
from marketdesk.sop.models import ChecklistTick, Deadline, ProcessDefinition, ProcessRun, Review

logger = logging.getLogger(__name__)

#: The definition that holds the team's recurring cadences (O4, O11, O15).
CADENCES_KEY = "marketing-cadences"
ONE_DAY = dt.timedelta(days=1)


# --- errors ---------------------------------------------------------------------------

class TransitionRefused(ValidationError):
    """The engine refuses the action: ``reason`` says why in the user's language and
    ``details`` lists what is missing (open checklist items, pending reviews, fields)."""

    def __init__(self, reason: str, *, details: Iterable[str] = (), code: str = "refused"):
        self.reason = str(reason)
        self.details = [str(d) for d in details]
        message = self.reason if not self.details else f"{self.reason} {'; '.join(self.details)}"
        super().__init__(message, code=code)


class ConcurrentChange(Exception):
    """Someone else changed the run since the user loaded it (stale ``expected_version``)."""

    def __init__(self, message: str | None = None):
        self.message = message or _("Someone else changed this item in the meantime; reload it and try again.")
        super().__init__(self.message)


# --- definitions ----------------------------------------------------------------------

def _team_id(team) -> int | None:
    if team is None:
        return None
    return team.pk if isinstance(team, Team) else int(team)


def definition_for(key: str, team) -> ProcessDefinition:
    """The team's active copy of ``key`` if it has one, else the latest built-in version."""
    team_id = _team_id(team)
    if team_id is not None:
        copy = (ProcessDefinition.objects.filter(team_id=team_id, key=key, is_active=True)
                .order_by("-version").first())
        if copy is not None:
            return copy
    builtin = (ProcessDefinition.objects.filter(team__isnull=True, key=key, is_active=True)
               .order_by("-version").first())
    if builtin is None:
        raise ProcessDefinition.DoesNotExist(f'No process definition "{key}".')
    return builtin


def definition_install(text: str, *, team=None, by=None) -> tuple[ProcessDefinition, bool]:
    """Store ``text`` as the next version of its key (for ``team``, or built-in) unless its
    spec equals the latest version's. An existing version is never changed."""
    spec = parse(text)
    team_id = _team_id(team)
    with transaction.atomic():
        versions = ProcessDefinition.objects.select_for_update().filter(key=spec["key"])
        versions = versions.filter(team_id=team_id) if team_id else versions.filter(team__isnull=True)
        latest = versions.order_by("-version").first()
        if latest is not None and latest.spec == spec:
            return latest, False
        definition = ProcessDefinition(
            key=spec["key"], version=(latest.version + 1) if latest else 1, team_id=team_id,
            name_en=spec["name"]["en"], name_zh=spec["name"]["zh"], yaml_text=text, spec=spec,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        definition.full_clean()
        definition.save()
        audit.record("create", definition, actor=by,
                     changes={"after": {"key": definition.key, "version": definition.version,
                                        "team_id": team_id}})
    return definition, True


def sop_sync_definitions(paths: Iterable[Path] | None = None) -> list[ProcessDefinition]:
    """Insert a new built-in version for every shipped YAML file whose spec changed.

    Called after ``migrate`` (apps.py) and by the demo. A shipped file that does not
    validate is a programming error and raises DefinitionError naming the file."""
    created = []
    for path in (shipped_files() if paths is None else paths):
        text = Path(path).read_text(encoding="utf-8")
        try:
            definition, new = definition_install(text)
        except DefinitionError as exc:
            raise DefinitionError([Problem(p.line, f"{Path(path).name}: {p.path}", p.message)
                                   for p in exc.problems]) from None
        except IntegrityError:
            # Another process inserted the same version at the same moment.
            continue
        if new:
            created.append(definition)
    return created


def definition_save_copy(source: ProcessDefinition, *, team, yaml_text: str, by) -> tuple[ProcessDefinition, bool]:
    """The team's edited copy of ``source``: validated, stored as a new version of the
    team's copy (team leader, director or admin of that team only)."""
    team_id = _team_id(team)
    gate.check_team(by, "add", ProcessDefinition, team_id)
    spec = parse(yaml_text)
    if spec["key"] != source.key:
        raise DefinitionError([Problem(None, "key", _("the key must stay “%(key)s” (a copy edits this "
                                                      "process; it was “%(other)s”)")
                                       % {"key": source.key, "other": spec["key"]})])
    return definition_install(yaml_text, team=team_id, by=by)


def definition_use_builtin(*, team, key: str, by) -> int:
    """Stop using the team's copies of ``key``: new runs take the built-in definition.
    Returns how many versions were switched off (they stay stored for their runs)."""
    team_id = _team_id(team)
    gate.check_team(by, "change", ProcessDefinition, team_id)
    with transaction.atomic():
        copies = list(ProcessDefinition.objects.select_for_update()
                      .filter(team_id=team_id, key=key, is_active=True))
        for copy in copies:
            ProcessDefinition.objects.filter(pk=copy.pk).update(is_active=False)
            audit.record("update", copy, actor=by,
                         changes={"before": {"is_active": True}, "after": {"is_active": False}})
    return len(copies)


# --- reading an item --------------------------------------------------------------------

@dataclass
class _Ctx:
    """One run with its item read through the adapter, for one engine call."""

    run: ProcessRun
    definition: Definition
    item: object
    adapter: item_registry.ItemAdapter
    flags: dict[str, bool]
    dates: dict
    priority: str | None
    tz: dt.tzinfo
    now: dt.datetime

    @property
    def stage(self) -> Stage:
        return self.definition.stage(self.run.stage)


def _flags(definition: Definition, adapter, item) -> dict[str, bool]:
    flags = dict(definition.flag_defaults)
    for name, value in (adapter.flags(item) or {}).items():
        if value is not None:
            flags[name] = bool(value)
    return flags


def _context(run: ProcessRun, now: dt.datetime | None = None) -> _Ctx:
    item = run.item
    if item is None:
        raise TransitionRefused(_("The record this process belongs to no longer exists."))
    adapter = item_registry.adapter_for(item)
    definition = run.definition.parsed
    return _Ctx(
        run=run, definition=definition, item=item, adapter=adapter,
        flags=_flags(definition, adapter, item), dates=adapter.dates(item) or {},
        priority=adapter.priority(item), tz=dl.zone(run.team.time_zone), now=now or timezone.now(),
    )


def _is_filled(value) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if hasattr(value, "exists") and callable(value.exists):
        return value.exists()
    if isinstance(value, (list, tuple, set, dict)):
        return bool(value)
    return True


# --- deadlines ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Planned:
    key: str
    label: Label
    stage: str
    kind: str
    rule: str
    basis: str
    position: int
    due_at: dt.datetime | None


def _stage_moment(run: ProcessRun, stage_key: str, what: str) -> dt.datetime | None:
    value = (run.stage_log or {}).get(stage_key, {}).get(what)
    return dt.datetime.fromisoformat(value) if value else None


def _due(ctx: _Ctx, rule: DeadlineRule) -> dt.datetime | None:
    if rule.anchor_stage:
        anchor = _stage_moment(ctx.run, rule.anchor_stage, "completed_at")
    else:
        anchor = ctx.dates.get(rule.anchor)
    offset = rule.offset_for(ctx.priority)
    if anchor is None or offset is None:
        return None
    return dl.compute_due(anchor, offset, ctx.tz, rule.time)


def _plan(ctx: _Ctx) -> list[_Planned]:
    """The deadlines the run should have from its current stage on, with the item's
    current dates, priority and flags."""
    planned = []
    current = ctx.definition.position(ctx.run.stage)
    for index, stage in enumerate(ctx.definition.stages):
        if index < current or not stage.applies(ctx.flags):
            continue
        base = index * 1000
        if stage.deadline:
            planned.append(_Planned(stage.key, stage.label, stage.key, Deadline.Kind.STAGE,
                                    stage.deadline.rule, stage.deadline.describe(), base + 999,
                                    _due(ctx, stage.deadline)))
        for i, item in enumerate(stage.checklist):
            if item.deadline:
                planned.append(_Planned(f"{stage.key}.check.{item.key}", item.label, stage.key,
                                        Deadline.Kind.TASK, item.deadline.rule,
                                        item.deadline.describe(), base + i, _due(ctx, item.deadline)))
        for i, step in enumerate(stage.reviews_for(ctx.flags)):
            rule = step.deadline or stage.deadline
            if rule:
                planned.append(_Planned(f"{stage.key}.review.{step.key}", step.label, stage.key,
                                        Deadline.Kind.REVIEW, step.deadline.rule if step.deadline else step.rule,
                                        rule.describe(), base + 500 + i, _due(ctx, rule)))
    return planned


def _sync_deadlines(ctx: _Ctx, *, by) -> dict:
    """Create, move and drop the run's open deadlines to match the plan. Done deadlines
    never change. Returns the audit changes ({before, after} of due dates by key)."""
    run = ctx.run
    existing = {d.key: d for d in run.deadlines.all()}
    before, after = {}, {}
    current = ctx.definition.position(run.stage)
    for p in _plan(ctx):
        row = existing.pop(p.key, None)
        if row is None:
            Deadline.objects.create(
                run=run, key=p.key, label_en=p.label.en, label_zh=p.label.zh, stage=p.stage,
                kind=p.kind, rule=p.rule, basis=p.basis, position=p.position, due_at=p.due_at)
            before[p.key] = None
            after[p.key] = audit.snapshot_value(p.due_at)
        elif row.done_at is None and (row.due_at != p.due_at or row.basis != p.basis):
            before[p.key] = audit.snapshot_value(row.due_at)
            after[p.key] = audit.snapshot_value(p.due_at)
            moved_later = row.due_at is None or (p.due_at is not None and p.due_at > row.due_at)
            row.due_at, row.basis = p.due_at, p.basis
            if moved_later:
                # A later date is a fresh promise: remind and escalate again from scratch.
                row.reminded_at, row.escalation_level, row.escalated_at = None, 0, None
            row.save()
    for key, row in existing.items():
        if row.done_at is None and ctx.definition.has_stage(row.stage) \
                and ctx.definition.position(row.stage) >= current:
            before[key] = audit.snapshot_value(row.due_at)
            after[key] = None
            row.delete()
    return {"before": before, "after": after} if after or before else {}


# --- reviews --------------------------------------------------------------------------

def _round(run: ProcessRun, stage_key: str) -> int:
    rounds = [r.round for r in run.reviews.all() if r.stage == stage_key]
    return max(rounds, default=1)


def _approved_steps(run: ProcessRun, stage_key: str, round_: int) -> set[str]:
    return {r.step for r in run.reviews.all()
            if r.stage == stage_key and r.round == round_ and r.decision == Review.Decision.APPROVED}


def _current_step(ctx: _Ctx):
    """The review step whose turn it is in the current stage, or None when every
    applicable step has approved in this round."""
    round_ = _round(ctx.run, ctx.run.stage)
    approved = _approved_steps(ctx.run, ctx.run.stage, round_)
    for position, step in enumerate(ctx.stage.reviews):
        if step.applies(ctx.flags) and step.key not in approved:
            return position, step, round_
    return None


def _ensure_review_turn(ctx: _Ctx, *, by) -> Review | None:
    """Keep exactly one pending Review row: the step whose turn it is (a row left pending
    for a step that no longer applies is removed)."""
    run = ctx.run
    turn = _current_step(ctx)
    pending = [r for r in run.reviews.all()
               if r.stage == run.stage and r.decision == Review.Decision.PENDING]
    keep = None
    for row in pending:
        if turn is not None and row.step == turn[1].key and row.round == turn[2]:
            keep = row
        else:
            audit.record("delete", row, actor=by, changes={"before": audit.snapshot(row)},
                         message="review step no longer applies")
            row.delete()
    if turn is not None and keep is None:
        position, step, round_ = turn
        keep = Review.objects.create(run=run, stage=run.stage, step=step.key, position=position,
                                     role=step.role, round=round_)
        audit.record("create", keep, actor=by, changes={"after": audit.snapshot(keep)})
    if hasattr(run, "_prefetched_objects_cache"):
        run._prefetched_objects_cache.pop("reviews", None)
    return keep


# --- the gate -------------------------------------------------------------------------

@dataclass(frozen=True)
class GateStatus:
    open_checklist: tuple = ()        # ChecklistItem
    missing_fields: tuple = ()        # (name, Label)
    pending_reviews: tuple = ()       # ReviewStep, in order

    @property
    def ready_for_review(self) -> bool:
        return not self.open_checklist and not self.missing_fields

    @property
    def passed(self) -> bool:
        return self.ready_for_review and not self.pending_reviews

    def details(self) -> list[str]:
        out = []
        if self.open_checklist:
            out.append(_("open checklist items: %(items)s")
                       % {"items": ", ".join(str(c.label) for c in self.open_checklist)})
        if self.missing_fields:
            out.append(_("missing: %(fields)s")
                       % {"fields": ", ".join(str(label) for _n, label in self.missing_fields)})
        if self.pending_reviews:
            out.append(_("reviews pending: %(steps)s")
                       % {"steps": ", ".join(str(s.label) for s in self.pending_reviews)})
        return out


def _ticked(run: ProcessRun, stage_key: str) -> set[str]:
    return {t.key for t in run.ticks.all() if t.stage == stage_key and t.checked}


def _gate(ctx: _Ctx) -> GateStatus:
    stage = ctx.stage
    ticked = _ticked(ctx.run, stage.key)
    round_ = _round(ctx.run, stage.key)
    approved = _approved_steps(ctx.run, stage.key, round_)
    return GateStatus(
        open_checklist=tuple(c for c in stage.checklist if c.key not in ticked),
        missing_fields=tuple((name, ctx.definition.fields.get(name) or Label(name, name))
                             for name in stage.required_fields
                             if not _is_filled(ctx.adapter.field(ctx.item, name))),
        pending_reviews=tuple(s for s in stage.reviews_for(ctx.flags) if s.key not in approved),
    )


def _legal_move(ctx: _Ctx, target: str) -> str | None:
    """None when moving from the current stage to ``target`` is legal, else the reason."""
    definition, flags = ctx.definition, ctx.flags
    stage = ctx.stage
    if target not in stage.next:
        names = ", ".join(str(definition.stage(k).label) for k in stage.next) or _("none")
        return _("“%(target)s” does not follow “%(stage)s” (it may move to: %(next)s).") % {
            "target": definition.stage(target).label if definition.has_stage(target) else target,
            "stage": stage.label, "next": names}
    target_stage = definition.stage(target)
    if not target_stage.applies(flags):
        return _("“%(target)s” applies only when %(condition)s.") % {
            "target": target_stage.label, "condition": _condition_text(definition, target_stage.when)}
    for skipped in definition.between(stage.key, target):
        if skipped.applies(flags):
            return _("Moving to “%(target)s” would skip “%(skipped)s”, which applies to this item.") % {
                "target": target_stage.label, "skipped": skipped.label}
    return None


def _condition_text(definition: Definition, condition) -> str:
    label = definition.flags.get(condition.flag)
    text = str(label) if label else condition.flag
    return _("not “%(flag)s”") % {"flag": text} if condition.negate else f"“{text}”"


# --- locking and rights -----------------------------------------------------------------

@contextmanager
def _writing():
    """One engine write: a transaction whose loser of a lock race gets ConcurrentChange.

    PostgreSQL queues the second writer on the run's row lock, and the version check then
    refuses it. SQLite has no row locks: its IMMEDIATE transactions serialise writers, and
    a writer that cannot get the lock (busy timeout spent, or a shared-cache table lock)
    gets "database is locked" / "database table is locked" — it lost the same race."""
    try:
        with transaction.atomic():
            yield
    except OperationalError as exc:
        if connection.vendor == "sqlite" and "locked" in str(exc):
            raise ConcurrentChange() from exc
        raise


def _locked(run: ProcessRun, expected_version: int | None, now=None) -> _Ctx:
    locked = (ProcessRun.objects.select_for_update(of=("self",))
              .select_related("definition", "team", "content_type")
              .prefetch_related("reviews", "ticks")
              .get(pk=run.pk))
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentChange()
    if locked.status != ProcessRun.Status.ACTIVE:
        raise TransitionRefused(_("This process is %(status)s; nothing more can change.")
                                % {"status": locked.get_status_display().lower()})
    return _context(locked, now)


def _check_actor(by, run: ProcessRun, roles: frozenset, what: str) -> None:
    if by is None or not getattr(by, "is_authenticated", False) or not by.is_active:
        raise PermissionDenied
    if not gate.in_scope(by, run.team_id):
        raise PermissionDenied
    if by.role not in roles:
        raise TransitionRefused(_("Your role (%(role)s) may not %(what)s.")
                                % {"role": by.get_role_display(), "what": what})


def _save_run(ctx: _Ctx, *fields: str) -> None:
    ctx.run.version += 1
    ctx.run.save(update_fields=["version", "updated_at", *fields])


# --- runs -------------------------------------------------------------------------------

def run_for(item) -> ProcessRun | None:
    """The item's active run, else its latest one."""
    ct = ContentType.objects.get_for_model(item)
    runs = ProcessRun.objects.filter(content_type=ct, object_id=item.pk).select_related("definition", "team")
    return runs.filter(status=ProcessRun.Status.ACTIVE).first() or runs.order_by("-started_at", "-id").first()


def run_start(item, *, definition_key: str, by, now: dt.datetime | None = None) -> ProcessRun:
    """Start ``item`` on the team's current version of ``definition_key``: the version is
    pinned to the run, every deadline is computed, the first stage is entered."""
    adapter = item_registry.adapter_for(item)
    team_id = adapter.team_id(item)
    if by is not None:
        if not gate.in_scope(by, team_id):
            raise PermissionDenied
        if by.role not in EDITORS:
            raise TransitionRefused(_("Your role (%(role)s) may not start a process.")
                                    % {"role": by.get_role_display()})
    pd = definition_for(definition_key, team_id)
    definition = pd.parsed
    if not definition.stages:
        raise TransitionRefused(_("“%(name)s” has no stages to run.") % {"name": pd.label})
    if definition.item and definition.item != item._meta.label:
        raise TransitionRefused(_("“%(name)s” is a process for %(model)s records.")
                                % {"name": pd.label, "model": definition.item})
    flags = _flags(definition, adapter, item)
    first = next((s for s in definition.stages if s.applies(flags)), None)
    if first is None:
        raise TransitionRefused(_("No stage of “%(name)s” applies to this item.") % {"name": pd.label})
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(item)
    with _writing():
        if ProcessRun.objects.select_for_update().filter(
                content_type=ct, object_id=item.pk, status=ProcessRun.Status.ACTIVE).exists():
            raise TransitionRefused(_("This item already runs a process."))
        run = ProcessRun.objects.create(
            content_type=ct, object_id=item.pk, team_id=team_id, definition=pd, stage=first.key,
            started_at=now, stage_log={first.key: {"entered_at": now.isoformat()}})
        run.item = item
        ctx = _context(run, now)
        audit.record("create", run, actor=by, changes={"after": audit.snapshot(run)},
                     message=f"{pd.key} v{pd.version}")
        changes = _sync_deadlines(ctx, by=by)
        if changes:
            audit.record("update", run, actor=by, changes=changes, message="deadlines")
        _ensure_review_turn(ctx, by=by)
        adapter.on_transition(item, run, before=None, after=first.key, completed=False, by=by)
    return run


def run_reschedule(run: ProcessRun, *, by, now: dt.datetime | None = None) -> ProcessRun:
    """The item's key dates, priority or flags changed: move its open deadlines (done ones
    stay) and bring the review steps of the current stage in line with the flags."""
    with _writing():
        ctx = _locked(run, None, now)
        changes = _sync_deadlines(ctx, by=by)
        pending_before = {r.pk for r in ctx.run.reviews.all() if r.decision == Review.Decision.PENDING}
        _ensure_review_turn(ctx, by=by)
        reviews_changed = pending_before != {
            r.pk for r in Review.objects.filter(run=ctx.run, decision=Review.Decision.PENDING)}
        if changes or reviews_changed:
            _save_run(ctx)
            if changes:
                audit.record("update", ctx.run, actor=by, changes=changes, message="deadlines moved")
    return ctx.run


def run_advance(run: ProcessRun, *, to_stage: str | None = None, by, expected_version: int,
                now: dt.datetime | None = None) -> ProcessRun:
    """Leave the current stage through its gate, to ``to_stage`` (or the first legal next
    stage); from the last stage, complete the run."""
    with _writing():
        ctx = _locked(run, expected_version, now)
        _check_actor(by, ctx.run, EDITORS, _("move this item to another stage"))
        stage = ctx.stage
        _ensure_review_turn(ctx, by=by)
        status = _gate(ctx)
        if not status.passed:
            raise TransitionRefused(_("“%(stage)s” cannot be left yet:") % {"stage": stage.label},
                                    details=status.details(), code="gate")
        if not stage.next:
            if to_stage is not None:
                raise TransitionRefused(_("“%(stage)s” is the last stage; it completes the process.")
                                        % {"stage": stage.label}, code="illegal")
            target = None
        elif to_stage is None:
            legal = [k for k in stage.next if _legal_move(ctx, k) is None]
            if not legal:
                raise TransitionRefused(_("No next stage of “%(stage)s” applies to this item.")
                                        % {"stage": stage.label},
                                        details=[_legal_move(ctx, k) for k in stage.next], code="illegal")
            target = legal[0]
        else:
            if not ctx.definition.has_stage(to_stage):
                raise TransitionRefused(_("There is no stage “%(stage)s” in this process.")
                                        % {"stage": to_stage}, code="illegal")
            reason = _legal_move(ctx, to_stage)
            if reason:
                raise TransitionRefused(reason, code="illegal")
            target = to_stage
        now_iso = ctx.now.isoformat()
        log = dict(ctx.run.stage_log or {})
        log[stage.key] = {**log.get(stage.key, {}), "completed_at": now_iso}
        Deadline.objects.filter(run=ctx.run, stage=stage.key, done_at__isnull=True).update(done_at=ctx.now)
        before = {"stage": stage.key, "status": ctx.run.status}
        if target is None:
            ctx.run.status = ProcessRun.Status.COMPLETED
            ctx.run.completed_at = ctx.now
        else:
            ctx.run.stage = target
            log[target] = {**log.get(target, {}), "entered_at": now_iso}
        ctx.run.stage_log = log
        _save_run(ctx, "stage", "status", "completed_at", "stage_log")
        after = {"stage": ctx.run.stage, "status": ctx.run.status}
        audit.record("transition", ctx.run, actor=by,
                     changes={"before": before, "after": after},
                     message=f"{stage.key} → {target or 'completed'}")
        if target is not None:
            ctx.run._prefetched_objects_cache = {}
            changes = _sync_deadlines(ctx, by=by)
            if changes:
                audit.record("update", ctx.run, actor=by, changes=changes, message="deadlines")
            turn = _ensure_review_turn(ctx, by=by)
            if turn is not None and _gate(ctx).ready_for_review:
                _tell_reviewers(ctx, turn, by=by)
        ctx.adapter.on_transition(ctx.item, ctx.run, before=stage.key, after=ctx.run.stage,
                                  completed=target is None, by=by)
    return ctx.run


def run_tick(run: ProcessRun, *, item_key: str, checked: bool, by, expected_version: int,
             now: dt.datetime | None = None) -> ProcessRun:
    """Tick (or untick) one standard of the current stage's checklist."""
    with _writing():
        ctx = _locked(run, expected_version, now)
        _check_actor(by, ctx.run, EDITORS, _("tick the checklist"))
        stage = ctx.stage
        if item_key not in {c.key for c in stage.checklist}:
            raise TransitionRefused(_("“%(item)s” is not a standard of the current stage “%(stage)s”.")
                                    % {"item": item_key, "stage": stage.label}, code="illegal")
        was_ready = _gate(ctx).ready_for_review
        tick = ChecklistTick.objects.filter(run=ctx.run, stage=stage.key, key=item_key).first()
        if (tick.checked if tick is not None else False) == bool(checked):
            return ctx.run  # nothing changes: no write, no new version
        if tick is None:
            tick = ChecklistTick.objects.create(run=ctx.run, stage=stage.key, key=item_key,
                                                checked=bool(checked), by=by, at=ctx.now)
            audit.record("create", tick, actor=by, changes={"after": {"checked": tick.checked}})
        else:
            tick.checked, tick.by, tick.at = bool(checked), by, ctx.now
            tick.save()
            audit.record("update", tick, actor=by,
                         changes={"before": {"checked": not tick.checked}, "after": {"checked": tick.checked}})
        Deadline.objects.filter(run=ctx.run, key=f"{stage.key}.check.{item_key}").update(
            done_at=ctx.now if checked else None)
        _save_run(ctx)
        ctx.run._prefetched_objects_cache = {}
        if not was_ready and _gate(ctx).ready_for_review:
            turn = _ensure_review_turn(ctx, by=by)
            if turn is not None:
                _tell_reviewers(ctx, turn, by=by)
    return ctx.run


def review_refusal(ctx: _Ctx, user, step) -> str | None:
    """Why ``user`` may not take review ``step`` now (None when they may)."""
    if user.role != step.role:
        return _("This review step (%(step)s) is for the %(role)s; your role is %(yours)s.") % {
            "step": step.label, "role": Role(step.role).label, "yours": user.get_role_display()}
    author, owner = ctx.adapter.author(ctx.item), ctx.adapter.owner(ctx.item)
    if user.pk in {getattr(author, "pk", None), getattr(owner, "pk", None)}:
        return _("You wrote or own this item; someone else must review it.")
    return None


def run_review(run: ProcessRun, *, decision: str, by, comment: str = "", expected_version: int,
               now: dt.datetime | None = None) -> Review:
    """Take the review step whose turn it is in the current stage."""
    with _writing():
        ctx = _locked(run, expected_version, now)
        if by is None or not getattr(by, "is_authenticated", False) or not gate.in_scope(by, ctx.run.team_id):
            raise PermissionDenied
        if decision not in (Review.Decision.APPROVED, Review.Decision.CHANGES_REQUESTED):
            raise TransitionRefused(_("A review decision is “approved” or “changes requested”."),
                                    code="invalid")
        row = _ensure_review_turn(ctx, by=by)
        if row is None:
            raise TransitionRefused(_("No review is pending in “%(stage)s”.") % {"stage": ctx.stage.label},
                                    code="illegal")
        step = ctx.stage.reviews[row.position]
        status = _gate(ctx)
        if not status.ready_for_review:
            raise TransitionRefused(_("“%(stage)s” is not ready for review:") % {"stage": ctx.stage.label},
                                    details=GateStatus(status.open_checklist, status.missing_fields).details(),
                                    code="gate")
        refusal = review_refusal(ctx, by, step)
        if refusal:
            raise TransitionRefused(refusal, code="reviewer")
        comment = (comment or "").strip()
        if decision == Review.Decision.CHANGES_REQUESTED and not comment:
            raise TransitionRefused(_("Say what must change: a comment is required when requesting changes."),
                                    code="comment")
        row.reviewer, row.decision, row.comment, row.decided_at = by, decision, comment, ctx.now
        row.save()
        audit.record("update", row, actor=by,
                     changes={"before": {"decision": Review.Decision.PENDING},
                              "after": {"decision": decision, "reviewer_id": by.pk}},
                     message=comment[:200])
        ctx.run._prefetched_objects_cache = {}
        if decision == Review.Decision.APPROVED:
            Deadline.objects.filter(run=ctx.run, key=f"{ctx.stage.key}.review.{step.key}").update(done_at=ctx.now)
            turn = _ensure_review_turn(ctx, by=by)
            if turn is not None:
                _tell_reviewers(ctx, turn, by=by)
        else:
            # Back to the author: every step of the stage reviews again in a new round.
            Deadline.objects.filter(run=ctx.run, stage=ctx.stage.key, kind=Deadline.Kind.REVIEW).update(done_at=None)
            first = next(((i, s) for i, s in enumerate(ctx.stage.reviews) if s.applies(ctx.flags)))
            new = Review.objects.create(run=ctx.run, stage=ctx.stage.key, step=first[1].key,
                                        position=first[0], role=first[1].role, round=row.round + 1)
            audit.record("create", new, actor=by, changes={"after": audit.snapshot(new)},
                         message="changes requested: new review round")
            _tell_author(ctx, row, by=by)
        _save_run(ctx)
    return row


def run_cancel(run: ProcessRun, *, by, reason: str, now: dt.datetime | None = None) -> ProcessRun:
    """Stop the run (e.g. the event is declined at screening, O3/O5). Team leader, director,
    admin or the item's owner; a reason is required."""
    reason = (reason or "").strip()
    with _writing():
        ctx = _locked(run, None, now)
        owner = ctx.adapter.owner(ctx.item)
        is_owner = by is not None and getattr(owner, "pk", None) == by.pk
        _check_actor(by, ctx.run, LEADERS | ({by.role} if is_owner else frozenset()), _("cancel this process"))
        if not reason:
            raise TransitionRefused(_("Give a reason for cancelling."), code="reason")
        ctx.run.status = ProcessRun.Status.CANCELLED
        ctx.run.completed_at = ctx.now
        ctx.run.cancel_reason = reason[:500]
        _save_run(ctx, "status", "completed_at", "cancel_reason")
        audit.record("transition", ctx.run, actor=by,
                     changes={"before": {"status": "active"}, "after": {"status": "cancelled"}},
                     message=reason[:300])
        ctx.adapter.on_transition(ctx.item, ctx.run, before=ctx.run.stage, after=ctx.run.stage,
                                  completed=False, by=by)
    return ctx.run


# --- read models ------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    key: str
    label: Label
    stage: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    state: str  # "done" | "due" | "overdue" | "upcoming"
    rule: str
    kind: str = "stage"
    basis: str = ""
    escalation_level: int = 0


def _state(deadline: Deadline, run: ProcessRun, now: dt.datetime) -> str:
    if deadline.done_at is not None:
        return "done"
    if deadline.due_at is not None and deadline.due_at < now:
        return "overdue"
    if deadline.stage == run.stage and run.status == ProcessRun.Status.ACTIVE:
        return "due"
    return "upcoming"


def timeline(run: ProcessRun, *, now: dt.datetime | None = None) -> list[TimelineEntry]:
    """The run's deadlines in process order with their state at ``now``."""
    now = now or timezone.now()
    return [
        TimelineEntry(key=d.key, label=d.label, stage=d.stage, due_at=d.due_at, done_at=d.done_at,
                      state=_state(d, run, now), rule=d.rule, kind=d.kind, basis=d.basis,
                      escalation_level=d.escalation_level)
        for d in Deadline.objects.filter(run=run).order_by("position", "id")
    ]


@dataclass(frozen=True)
class ChecklistRow:
    key: str
    label: Label
    rule: str
    checked: bool


@dataclass(frozen=True)
class ReviewRow:
    key: str
    label: Label
    role: str
    rule: str
    decision: str  # pending | approved | changes_requested | waiting (a later step)
    reviewer: object = None
    comment: str = ""
    decided_at: dt.datetime | None = None


@dataclass(frozen=True)
class RunState:
    """What the run panel shows one user: the stage, its gate, the review turn, and what
    this user may do right now (with the reason when not)."""

    run: ProcessRun
    stage: Stage
    checklist: tuple[ChecklistRow, ...]
    missing_fields: tuple[str, ...]
    reviews: tuple[ReviewRow, ...]
    history: tuple[Review, ...]
    round: int
    turn: Review | None
    can_tick: bool
    can_advance: bool
    advance_blockers: tuple[str, ...]
    next_stages: tuple[tuple[str, Label, str | None], ...]  # key, label, refusal reason
    can_review: bool
    review_blocker: str | None
    item_url: str
    flags: dict = field(default_factory=dict)


def run_state(run: ProcessRun, user) -> RunState:
    run = (ProcessRun.objects.select_related("definition", "team", "content_type")
           .prefetch_related("reviews__reviewer", "ticks").get(pk=run.pk))
    ctx = _context(run)
    stage = ctx.stage
    status = _gate(ctx)
    ticked = _ticked(run, stage.key)
    round_ = _round(run, stage.key)
    rows = {r.step: r for r in run.reviews.all() if r.stage == stage.key and r.round == round_}
    reviews = []
    for step in stage.reviews_for(ctx.flags):
        row = rows.get(step.key)
        reviews.append(ReviewRow(step.key, step.label, step.role, step.rule,
                                 row.decision if row else "waiting",
                                 row.reviewer if row else None, row.comment if row else "",
                                 row.decided_at if row else None))
    turn = next((r for r in run.reviews.all() if r.stage == stage.key
                 and r.decision == Review.Decision.PENDING), None)
    active = run.status == ProcessRun.Status.ACTIVE
    editor = active and gate.in_scope(user, run.team_id) and getattr(user, "role", None) in EDITORS
    review_blocker = None
    if turn is None or not active:
        review_blocker = _("No review is pending.")
    elif not status.ready_for_review:
        review_blocker = _("Waiting for the checklist and required fields.")
    else:
        review_blocker = review_refusal(ctx, user, stage.reviews[turn.position])
    next_stages = tuple((k, ctx.definition.stage(k).label, _legal_move(ctx, k)) for k in stage.next)
    history = tuple(r for r in run.reviews.all() if r.decision != Review.Decision.PENDING)
    return RunState(
        run=run, stage=stage,
        checklist=tuple(ChecklistRow(c.key, c.label, c.rule, c.key in ticked) for c in stage.checklist),
        missing_fields=tuple(str(label) for _n, label in status.missing_fields),
        reviews=tuple(reviews), history=history, round=round_, turn=turn if active else None,
        can_tick=editor, can_advance=editor and status.passed,
        advance_blockers=tuple(status.details()), next_stages=next_stages,
        can_review=active and review_blocker is None and gate.in_scope(user, run.team_id),
        review_blocker=review_blocker, item_url=ctx.adapter.url(ctx.item), flags=ctx.flags,
    )


def pending_reviews_for(user) -> QuerySet[Review]:
    """The review inbox: steps whose role the user holds, in their teams, whose turn it is
    (earlier steps approved, the stage's checklist and fields complete), on items the user
    neither wrote nor owns."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Review.objects.none()
    candidates = (Review.objects.filter(decision=Review.Decision.PENDING, role=user.role,
                                        run__status=ProcessRun.Status.ACTIVE)
                  .select_related("run__definition", "run__team", "run__content_type"))
    candidates = gate.scope(candidates, user)
    ids = []
    for review in candidates:
        run = review.run
        if review.stage != run.stage:
            continue
        try:
            ctx = _context(run)
        except (LookupError, TransitionRefused):
            continue
        if not _gate(ctx).ready_for_review:
            continue
        if review_refusal(ctx, user, ctx.stage.reviews[review.position]) is not None:
            continue
        ids.append(review.pk)
    return (Review.objects.filter(pk__in=ids)
            .select_related("run__definition", "run__team", "run__content_type")
            .order_by("run__started_at", "id"))


def calendar_deadlines(user, start: dt.datetime, end: dt.datetime) -> QuerySet[Deadline]:
    """Open and done deadlines of the user's teams due in [start, end), for the calendar."""
    qs = Deadline.objects.filter(due_at__gte=start, due_at__lt=end).exclude(
        run__status=ProcessRun.Status.CANCELLED)
    return gate.scope(qs, user).select_related("run__team", "run__definition", "run__content_type")


# --- notices ----------------------------------------------------------------------------

def _item_title(ctx: _Ctx) -> str:
    return ctx.adapter.label(ctx.item)


def _tell_reviewers(ctx: _Ctx, turn: Review, *, by) -> None:
    step = ctx.stage.reviews[turn.position]
    author, owner = ctx.adapter.author(ctx.item), ctx.adapter.owner(ctx.item)
    excluded = {getattr(author, "pk", None), getattr(owner, "pk", None)}
    recipients = [u for u in notices.role_holders(step.role, ctx.run.team_id) if u.pk not in excluded]
    title = _item_title(ctx)
    notices.send(
        recipients, kind="sop.review_requested", team=ctx.run.team, by=by,
        url=ctx.adapter.url(ctx.item), dedupe_key=f"sop-review-{turn.pk}",
        render=lambda: (_("Review waiting: %(item)s") % {"item": title},
                        _("%(step)s of “%(stage)s” is yours to take.") % {
                            "step": step.label, "stage": ctx.stage.label}),
    )


def _tell_author(ctx: _Ctx, review: Review, *, by) -> None:
    title = _item_title(ctx)
    stage_label = ctx.stage.label
    comment = review.comment
    notices.send(
        [ctx.adapter.author(ctx.item), ctx.adapter.owner(ctx.item)], kind="sop.changes_requested",
        team=ctx.run.team, by=by, url=ctx.adapter.url(ctx.item), dedupe_key=f"sop-changes-{review.pk}",
        render=lambda: (_("Changes requested: %(item)s") % {"item": title},
                        _("%(who)s asks for changes in “%(stage)s”: %(comment)s") % {
                            "who": by, "stage": stage_label, "comment": comment}),
    )


def responsible_for(deadline: Deadline, ctx: _Ctx) -> list:
    """Who owes a deadline: the holders of the review step's role (never the author) for
    a review, the item's owner otherwise (its team leaders when it has no owner)."""
    if deadline.kind == Deadline.Kind.REVIEW:
        step_key = deadline.key.rsplit(".", 1)[-1]
        stage = ctx.definition.stage(deadline.stage)
        step = next((s for s in stage.reviews if s.key == step_key), None)
        if step is not None:
            author, owner = ctx.adapter.author(ctx.item), ctx.adapter.owner(ctx.item)
            excluded = {getattr(author, "pk", None), getattr(owner, "pk", None)}
            return [u for u in notices.role_holders(step.role, ctx.run.team_id) if u.pk not in excluded]
    owner = ctx.adapter.owner(ctx.item)
    return [owner] if owner is not None else notices.team_leaders(ctx.run.team_id)


def escalation_level_at(deadline: Deadline, now: dt.datetime) -> int:
    """The level an open deadline has reached at ``now``: 1 once overdue (its owner), 2 a
    day later (the team leader), 3 after three days (the marketing director)."""
    if deadline.done_at is not None or deadline.due_at is None or deadline.due_at >= now:
        return Deadline.Escalation.NONE
    late = now - deadline.due_at
    if late >= 3 * ONE_DAY:
        return Deadline.Escalation.DIRECTOR
    if late >= ONE_DAY:
        return Deadline.Escalation.TEAM_LEADER
    return Deadline.Escalation.OWNER


def escalation_recipients(deadline: Deadline, level: int, ctx: _Ctx) -> list:
    """Everyone told at ``level``: the responsible people always, the team's leaders from
    level 2, the marketing directors at level 3."""
    people = list(responsible_for(deadline, ctx))
    if level >= Deadline.Escalation.TEAM_LEADER:
        people += notices.team_leaders(ctx.run.team_id)
    if level >= Deadline.Escalation.DIRECTOR:
        people += notices.directors()
    return notices._unique(people)


def escalate_overdue(*, now: dt.datetime | None = None) -> list[Deadline]:
    """Raise every overdue open deadline of an active run to the level it has reached and
    tell that level's people — once per level (idempotent: a second call at the same
    moment changes nothing). Returns the deadlines escalated by this call."""
    now = now or timezone.now()
    escalated = []
    candidates = (Deadline.objects.filter(done_at__isnull=True, due_at__lt=now,
                                          run__status=ProcessRun.Status.ACTIVE,
                                          escalation_level__lt=Deadline.Escalation.DIRECTOR)
                  .values_list("pk", flat=True))
    for pk in list(candidates):
        with transaction.atomic():
            deadline = (Deadline.objects.select_for_update(of=("self",))
                        .select_related("run__team", "run__definition")
                        .get(pk=pk))
            level = escalation_level_at(deadline, now)
            if level <= deadline.escalation_level or deadline.run.status != ProcessRun.Status.ACTIVE:
                continue
            before = deadline.escalation_level
            deadline.escalation_level, deadline.escalated_at = level, now
            deadline.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
            audit.record("update", deadline, changes={"before": {"escalation_level": before},
                                                      "after": {"escalation_level": level}},
                         message="escalated")
            try:
                ctx = _context(deadline.run, now)
            except (LookupError, TransitionRefused):
                escalated.append(deadline)
                continue
            title, label = _item_title(ctx), deadline.label
            due_local = timezone.localtime(deadline.due_at, ctx.tz)
            notices.send(
                escalation_recipients(deadline, level, ctx), kind="sop.overdue", team=ctx.run.team,
                url=ctx.adapter.url(ctx.item), dedupe_key=f"sop-escalation-{deadline.pk}-{level}",
                render=lambda title=title, label=label, due_local=due_local, level=level: (
                    _("Overdue: %(what)s — %(item)s") % {"what": label, "item": title},
                    _("Due %(due)s. %(level)s.") % {
                        "due": due_local.strftime("%Y-%m-%d %H:%M"),
                        "level": Deadline.Escalation(level).label}),
            )
            escalated.append(deadline)
    return escalated


def upcoming_reminders(*, now: dt.datetime | None = None, within: dt.timedelta = ONE_DAY) -> list[Deadline]:
    """Remind the responsible people once of every open deadline falling due within
    ``within`` (not yet reminded, not yet overdue). Returns the deadlines reminded."""
    now = now or timezone.now()
    reminded = []
    candidates = (Deadline.objects.filter(done_at__isnull=True, reminded_at__isnull=True,
                                          due_at__gte=now, due_at__lte=now + within,
                                          run__status=ProcessRun.Status.ACTIVE)
                  .values_list("pk", flat=True))
    for pk in list(candidates):
        with transaction.atomic():
            deadline = (Deadline.objects.select_for_update(of=("self",))
                        .select_related("run__team", "run__definition")
                        .get(pk=pk))
            if deadline.reminded_at is not None or deadline.done_at is not None:
                continue
            deadline.reminded_at = now
            deadline.save(update_fields=["reminded_at", "updated_at"])
            try:
                ctx = _context(deadline.run, now)
            except (LookupError, TransitionRefused):
                reminded.append(deadline)
                continue
            title, label = _item_title(ctx), deadline.label
            due_local = timezone.localtime(deadline.due_at, ctx.tz)
            notices.send(
                responsible_for(deadline, ctx), kind="sop.reminder", team=ctx.run.team,
                url=ctx.adapter.url(ctx.item), dedupe_key=f"sop-reminder-{deadline.pk}",
                render=lambda title=title, label=label, due_local=due_local: (
                    _("Due soon: %(what)s — %(item)s") % {"what": label, "item": title},
                    _("Due %(due)s.") % {"due": due_local.strftime("%Y-%m-%d %H:%M")}),
            )
            reminded.append(deadline)
    return reminded


# --- cadences (O4, O11, O15) -----------------------------------------------------------

@dataclass(frozen=True)
class CadenceOccurrence:
    key: str
    label: Label
    day: dt.date          # the local day
    at: dt.datetime | None  # the UTC instant when the cadence has a clock time
    rule: str
    definition_key: str


def _quarter_starts(start: dt.date, end: dt.date, months: tuple[int, ...]):
    year = start.year
    while dt.date(year, 1, 1) < end:
        for month in months:
            yield year, month
        year += 1


def cadence_occurrences(start: dt.date, end: dt.date, team) -> list[CadenceOccurrence]:
    """Occurrences of the team's cadences on local days ``start`` ≤ day < ``end``."""
    team_obj = team if isinstance(team, Team) else Team.objects.get(pk=team)
    try:
        pd = definition_for(CADENCES_KEY, team_obj)
    except ProcessDefinition.DoesNotExist:
        return []
    tz = dl.zone(team_obj.time_zone)
    out = []
    for cadence in pd.parsed.cadences:
        days: list[dt.date] = []
        if cadence.every in ("week", "2weeks"):
            step = 7 if cadence.every == "week" else 14
            origin = cadence.since or start
            first = origin + dt.timedelta(days=(cadence.weekday - origin.weekday()) % 7)
            if first < start:
                first += dt.timedelta(days=-(-(start - first).days // step) * step)
            day = first
            while day < end:
                days.append(day)
                day += dt.timedelta(days=step)
        else:
            months = tuple(range(1, 13)) if cadence.every == "month" else (1, 4, 7, 10)
            for year, month in _quarter_starts(start, end, months):
                day = dt.date(year, month, cadence.day)
                if start <= day < end and (cadence.since is None or day >= cadence.since):
                    days.append(day)
        for day in days:
            if cadence.since is not None and day < cadence.since:
                continue
            out.append(CadenceOccurrence(
                key=cadence.key, label=cadence.label, day=day,
                at=dl.due_instant(day, tz, cadence.time) if cadence.time else None,
                rule=cadence.rule, definition_key=pd.key))
    return sorted(out, key=lambda o: (o.day, o.at or dt.datetime.max.replace(tzinfo=dt.UTC), o.key))
