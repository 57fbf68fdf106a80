"""Process definitions as data: YAML in, a validated spec (plain JSON) and typed objects out.

``load(text)`` parses with PyYAML's safe composer, so every node keeps its line; every
problem is reported with the line and the key path (``line 14, stages[2].deadline.offset:
unknown offset "-30x"``) and nothing is half-accepted: either the whole document is valid
or ``DefinitionError`` lists every problem found. The schema is documented in
docs/decisions/0004-sop-engine.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketdesk.core.roles import Role
from marketdesk.sop import deadlines

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
MAX_YAML_CHARS = 200_000
MAX_NODES = 20_000
PRIORITIES = ("P0", "P1", "P2", "P3")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY = ("week", "2weeks", "month", "quarter")

_KEY = re.compile(r"^[a-z][a-z0-9-]{1,62}[a-z0-9]$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_MODEL = re.compile(r"^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$")
_RULE = re.compile(r"^[SLFKO]\d{1,2}(?:\s*[/,]\s*[SLFKO]\d{1,2})*$")


# --- problems -----------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        path = self.path or _("(document)")
        if self.line:
            return _("line %(line)s, %(path)s: %(message)s") % {
                "line": self.line, "path": path, "message": self.message}
        return f"{path}: {self.message}"


class DefinitionError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# --- YAML nodes → plain data with the line of every path ------------------------------

Path_ = tuple  # ("stages", 2, "deadline")


def _fmt(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Reader:
    def __init__(self):
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def read(self, node, path: Path_ = ()):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DefinitionError([Problem(node.start_mark.line + 1, _fmt(path),
                                           _("the document is too large (more than %(n)s nodes)") % {"n": MAX_NODES})])
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(key_node.start_mark.line + 1, _fmt(path),
                                                 _("a key must be plain text")))
                    continue
                key = str(self._scalars.construct_object(key_node))
                if key in out:
                    self.problems.append(Problem(key_node.start_mark.line + 1, _fmt((*path, key)),
                                                 _("duplicate key “%(key)s”") % {"key": key}))
                    continue
                out[key] = self.read(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalars.construct_object(node)


# --- validation -----------------------------------------------------------------------

class _Validator:
    def __init__(self, data, lines):
        self.data = data
        self.lines = lines
        self.problems: list[Problem] = []
        self.missing: set[Path_] = set()

    def line(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def err(self, path: Path_, message: str) -> None:
        if path in self.missing:
            return  # already reported as a missing key
        self.problems.append(Problem(self.line(path), _fmt(path), message))

    # generic checks
    def mapping(self, value, path, allowed: set[str], required: set[str] = frozenset()) -> bool:
        if not isinstance(value, dict):
            self.err(path, _("expected a mapping (key: value lines)"))
            return False
        for key in value:
            if key not in allowed:
                self.err((*path, key), _("unknown key “%(key)s” (allowed: %(allowed)s)") % {
                    "key": key, "allowed": ", ".join(sorted(allowed))})
        for key in sorted(required - set(value)):
            self.err(path, _("missing key “%(key)s”") % {"key": key})
            self.missing.add((*path, key))
        return True

    def text(self, value, path, *, required=True, max_length=200) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.err(path, _("expected a non-empty text"))
            return None
        if len(value) > max_length:
            self.err(path, _("longer than %(n)s characters") % {"n": max_length})
            return None
        return value.strip()

    def ident(self, value, path, pattern=_IDENT, what=None):
        what = what or _("a lower-case name (letters, digits, _)")
        if not isinstance(value, str) or not pattern.match(value):
            self.err(path, _("expected %(what)s, not %(value)s") % {"what": what, "value": repr(value)})
            return None
        return value

    def names(self, value, path, *, required=True) -> dict | None:
        """``{en: …, zh: …}`` — every label in both languages."""
        if value is None and not required:
            return None
        if not self.mapping(value, path, {"en", "zh"}, {"en", "zh"}):
            return None
        en = self.text(value.get("en"), (*path, "en"))
        zh = self.text(value.get("zh"), (*path, "zh"))
        return {"en": en, "zh": zh} if en and zh else None

    def rule(self, value, path, *, required=True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not _RULE.match(value.strip()):
            self.err(path, _("expected a DOMAIN rule id such as “O7” or “O4/O15”, not %(value)s") % {
                "value": repr(value)})
            return None
        return value.strip()

    def flag_expr(self, value, path) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.err(path, _("expected a flag name or “not <flag>”, not %(value)s") % {"value": repr(value)})
            return None
        name = value.strip()
        name = name[4:].strip() if name.startswith("not ") else name
        if name not in self.flags:
            self.err(path, _("unknown flag “%(flag)s” (declared flags: %(flags)s)") % {
                "flag": name, "flags": ", ".join(self.flags) or _("none")})
            return None
        return value.strip()

    def offset(self, value, path) -> str | None:
        try:
            parsed = deadlines.parse_offset(value)
        except ValueError as exc:
            self.err(path, str(exc))
            return None
        if parsed.business and not self.business_days:
            self.err(path, _("business-day offset “%(offset)s” needs “business_days: true”") % {"offset": value})
            return None
        return str(parsed)

    def time(self, value, path) -> str | None:
        if value is None:
            return None
        try:
            parsed = deadlines.parse_time(value)
        except ValueError as exc:
            self.err(path, str(exc))
            return None
        return parsed.strftime("%H:%M")

    def deadline(self, value, path, *, own_stage: str | None, rule: str | None) -> dict | None:
        if value is None:
            return None
        if not self.mapping(value, path, {"anchor", "offset", "offset_by_priority", "time", "rule"},
                            {"anchor"}):
            return None
        out = {"anchor": None, "offset": None, "offset_by_priority": None,
               "time": self.time(value.get("time"), (*path, "time")),
               "rule": self.rule(value.get("rule"), (*path, "rule"), required=False) or rule}
        anchor = value.get("anchor")
        if isinstance(anchor, str) and anchor.startswith("stage:"):
            target = anchor[len("stage:"):]
            if target not in self.stage_keys:
                self.err((*path, "anchor"), _("unknown anchor “%(anchor)s”: no stage “%(stage)s”") % {
                    "anchor": anchor, "stage": target})
            elif target == own_stage:
                self.err((*path, "anchor"), _("a stage cannot anchor to its own completion (“%(anchor)s”)") % {
                    "anchor": anchor})
            else:
                out["anchor"] = anchor
        elif isinstance(anchor, str) and anchor in self.dates:
            out["anchor"] = anchor
        else:
            choices = list(dict.fromkeys([*self.dates, *(f"stage:{k}" for k in self.stage_keys)]))
            self.err((*path, "anchor"), _("unknown anchor “%(anchor)s” (one of: %(choices)s)") % {
                "anchor": anchor, "choices": ", ".join(choices)})
        has_offset = "offset" in value
        has_by_priority = "offset_by_priority" in value
        if has_offset == has_by_priority:
            self.err(path, _("give exactly one of “offset” and “offset_by_priority”"))
        elif has_offset:
            out["offset"] = self.offset(value["offset"], (*path, "offset"))
        else:
            by_priority = value["offset_by_priority"]
            ppath = (*path, "offset_by_priority")
            if self.mapping(by_priority, ppath, set(PRIORITIES), set(PRIORITIES)):
                offsets = {p: self.offset(by_priority[p], (*ppath, p))
                           for p in PRIORITIES if p in by_priority}
                if all(offsets.get(p) for p in PRIORITIES):
                    out["offset_by_priority"] = offsets
        return out

    def unique_keys(self, items, path, what: str) -> None:
        seen = {}
        for i, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            if key is None:
                continue
            if key in seen:
                self.err((*path, i, "key"), _("duplicate %(what)s key “%(key)s” (also %(other)s)") % {
                    "what": what, "key": key, "other": _fmt((*path, seen[key]))})
            else:
                seen[key] = i

    # the document
    def run(self) -> dict:
        data = self.data
        top = {"key", "name", "description", "item", "dates", "fields", "flags",
               "business_days", "stages", "cadences"}
        if not self.mapping(data, (), top, {"key", "name"}):
            return {}
        spec: dict = {
            "key": self.ident(data.get("key"), ("key",), _KEY,
                              _("a lower-case key with letters, digits and hyphens (e.g. event-salon)")),
            "name": self.names(data.get("name"), ("name",)),
            "description": self.names(data.get("description"), ("description",), required=False),
            "item": None,
        }
        if "item" in data:
            spec["item"] = self.ident(data["item"], ("item",), _MODEL, _("a model label such as “events.Event”"))

        self.business_days = data.get("business_days", False)
        if not isinstance(self.business_days, bool):
            self.err(("business_days",), _("expected true or false"))
            self.business_days = False
        spec["business_days"] = self.business_days

        self.dates = []
        raw_dates = data.get("dates", [])
        if not isinstance(raw_dates, list):
            self.err(("dates",), _("expected a list of key-date names"))
        else:
            for i, name in enumerate(raw_dates):
                if self.ident(name, ("dates", i)):
                    if name in self.dates:
                        self.err(("dates", i), _("duplicate date “%(name)s”") % {"name": name})
                    else:
                        self.dates.append(name)
        spec["dates"] = self.dates

        spec["fields"] = {}
        raw_fields = data.get("fields", {})
        if isinstance(raw_fields, dict):
            for name, labels in raw_fields.items():
                if self.ident(name, ("fields", name)):
                    spec["fields"][name] = self.names(labels, ("fields", name))
        else:
            self.err(("fields",), _("expected a mapping of field name to {en, zh}"))

        self.flags = {}
        raw_flags = data.get("flags", {})
        if isinstance(raw_flags, dict):
            for name, body in raw_flags.items():
                path = ("flags", name)
                if not self.ident(name, path):
                    continue
                if not self.mapping(body, path, {"en", "zh", "default"}, {"en", "zh"}):
                    continue
                default = body.get("default", False)
                if not isinstance(default, bool):
                    self.err((*path, "default"), _("expected true or false"))
                    default = False
                self.flags[name] = {"en": self.text(body.get("en"), (*path, "en")),
                                    "zh": self.text(body.get("zh"), (*path, "zh")),
                                    "default": default}
        else:
            self.err(("flags",), _("expected a mapping of flag name to {en, zh, default}"))
        spec["flags"] = self.flags

        raw_stages = data.get("stages", [])
        if not isinstance(raw_stages, list):
            self.err(("stages",), _("expected a list of stages"))
            raw_stages = []
        self.stage_keys = [s.get("key") for s in raw_stages
                           if isinstance(s, dict) and isinstance(s.get("key"), str)]
        self.unique_keys(raw_stages, ("stages",), "stage")
        spec["stages"] = [self.stage(s, ("stages", i), i, raw_stages)
                          for i, s in enumerate(raw_stages)]

        raw_cadences = data.get("cadences", [])
        if not isinstance(raw_cadences, list):
            self.err(("cadences",), _("expected a list of cadences"))
            raw_cadences = []
        self.unique_keys(raw_cadences, ("cadences",), "cadence")
        spec["cadences"] = [self.cadence(c, ("cadences", i)) for i, c in enumerate(raw_cadences)]

        if not data.get("stages") and not data.get("cadences") \
                and isinstance(data.get("stages", []), list) and isinstance(data.get("cadences", []), list):
            self.err((), _(_("a definition needs stages or cadences")))
        if raw_stages and "item" not in data:
            self.err((), _("missing key “item” (the model whose records run this process)"))
        return spec

    def stage(self, raw, path, index, all_stages) -> dict:
        allowed = {"key", "name", "rule", "when", "deadline", "checklist", "required_fields",
                   "reviews", "next"}
        if not self.mapping(raw, path, allowed, {"key", "name", "rule"}):
            return {}
        key = self.ident(raw.get("key"), (*path, "key"))
        rule = self.rule(raw.get("rule"), (*path, "rule"))
        stage = {
            "key": key,
            "name": self.names(raw.get("name"), (*path, "name")),
            "rule": rule,
            "when": self.flag_expr(raw.get("when"), (*path, "when")),
            "deadline": self.deadline(raw.get("deadline"), (*path, "deadline"), own_stage=key, rule=rule),
            "checklist": [],
            "required_fields": [],
            "reviews": [],
            "next": [],
        }
        checklist = raw.get("checklist", [])
        if not isinstance(checklist, list):
            self.err((*path, "checklist"), _("expected a list of standards"))
            checklist = []
        self.unique_keys(checklist, (*path, "checklist"), "checklist")
        for i, item in enumerate(checklist):
            ipath = (*path, "checklist", i)
            if not self.mapping(item, ipath, {"key", "en", "zh", "deadline", "rule"}, {"key", "en", "zh"}):
                continue
            item_rule = self.rule(item.get("rule"), (*ipath, "rule"), required=False) or rule
            stage["checklist"].append({
                "key": self.ident(item.get("key"), (*ipath, "key")),
                "en": self.text(item.get("en"), (*ipath, "en")),
                "zh": self.text(item.get("zh"), (*ipath, "zh")),
                "rule": item_rule,
                "deadline": self.deadline(item.get("deadline"), (*ipath, "deadline"),
                                          own_stage=key, rule=item_rule),
            })
        required = raw.get("required_fields", [])
        if not isinstance(required, list):
            self.err((*path, "required_fields"), _("expected a list of field names"))
            required = []
        declared = self.data.get("fields") if isinstance(self.data.get("fields"), dict) else {}
        for i, name in enumerate(required):
            if not isinstance(name, str) or name not in declared:
                self.err((*path, "required_fields", i),
                         _("unknown field “%(name)s” (declare it under “fields”)") % {"name": name})
            else:
                stage["required_fields"].append(name)
        reviews = raw.get("reviews", [])
        if not isinstance(reviews, list):
            self.err((*path, "reviews"), _("expected a list of review steps"))
            reviews = []
        for i, step in enumerate(reviews):
            if isinstance(step, dict) and "key" not in step and isinstance(step.get("role"), str):
                step = {**step, "key": step["role"]}
                reviews[i] = step
        self.unique_keys(reviews, (*path, "reviews"), "review step")
        for i, step in enumerate(reviews):
            spath = (*path, "reviews", i)
            if not self.mapping(step, spath, {"key", "role", "name", "when", "deadline", "rule"}, {"role"}):
                continue
            role = step.get("role")
            if role not in Role.values:
                self.err((*spath, "role"), _("“%(role)s” is not a role (one of: %(roles)s)") % {
                    "role": role, "roles": ", ".join(Role.values)})
                role = None
            step_rule = self.rule(step.get("rule"), (*spath, "rule"), required=False) or rule
            stage["reviews"].append({
                "key": self.ident(step.get("key"), (*spath, "key")),
                "role": role,
                "name": self.names(step.get("name"), (*spath, "name"), required=False),
                "when": self.flag_expr(step.get("when"), (*spath, "when")),
                "rule": step_rule,
                "deadline": self.deadline(step.get("deadline"), (*spath, "deadline"),
                                          own_stage=key, rule=step_rule),
            })
        if "next" in raw:
            nxt = raw["next"]
            if not isinstance(nxt, list):
                self.err((*path, "next"), _("expected a list of stage keys"))
                nxt = []
            for i, target in enumerate(nxt):
                tpath = (*path, "next", i)
                if target not in self.stage_keys:
                    self.err(tpath, _("next points to a missing stage “%(stage)s”") % {"stage": target})
                elif self.stage_keys.index(target) <= index:
                    self.err(tpath, _("next must point to a later stage, not “%(stage)s”") % {"stage": target})
                elif target in stage["next"]:
                    self.err(tpath, _("“%(stage)s” is listed twice") % {"stage": target})
                else:
                    stage["next"].append(target)
        else:
            # Default: the following stage; when it is conditional, also the first stage
            # after the run of stages sharing its condition (the move that skips them when
            # they do not apply), and so on until an unconditional stage.
            rest = [s for s in all_stages[index + 1:]]
            i = 0
            while i < len(rest):
                following = rest[i]
                if not isinstance(following, dict) or not isinstance(following.get("key"), str):
                    break
                stage["next"].append(following["key"])
                condition = following.get("when")
                if condition is None:
                    break
                i += 1
                while i < len(rest) and isinstance(rest[i], dict) and rest[i].get("when") == condition:
                    i += 1
        return stage

    def cadence(self, raw, path) -> dict:
        allowed = {"key", "name", "every", "weekday", "day", "time", "since", "rule"}
        if not self.mapping(raw, path, allowed, {"key", "name", "every", "rule"}):
            return {}
        every = raw.get("every")
        if every not in EVERY:
            self.err((*path, "every"), _("expected one of %(choices)s, not %(value)s") % {
                "choices": ", ".join(EVERY), "value": repr(every)})
        out = {
            "key": self.ident(raw.get("key"), (*path, "key")),
            "name": self.names(raw.get("name"), (*path, "name")),
            "every": every,
            "weekday": None,
            "day": None,
            "time": self.time(raw.get("time"), (*path, "time")),
            "since": None,
            "rule": self.rule(raw.get("rule"), (*path, "rule")),
        }
        if every in ("week", "2weeks"):
            weekday = raw.get("weekday")
            if weekday not in WEEKDAYS:
                self.err((*path, "weekday"), _("expected one of %(choices)s, not %(value)s") % {
                    "choices": ", ".join(WEEKDAYS), "value": repr(weekday)})
            out["weekday"] = weekday
        elif "weekday" in raw:
            self.err((*path, "weekday"), _("“weekday” applies to weekly cadences, not “%(every)s”") % {"every": every})
        if every in ("month", "quarter"):
            day = raw.get("day", 1)
            if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
                self.err((*path, "day"), _("expected a day of the month from 1 to 28"))
            out["day"] = day
        elif "day" in raw:
            self.err((*path, "day"), _("“day” applies to monthly and quarterly cadences, not “%(every)s”") % {"every": every})
        if "since" in raw or every == "2weeks":
            since = raw.get("since")
            if not isinstance(since, dt.date) or isinstance(since, dt.datetime):
                self.err((*path, "since"), _("expected a date (YYYY-MM-DD) the cadence counts from"))
            else:
                out["since"] = since.isoformat()
        return out


def parse(text: str) -> dict:
    """YAML text → validated spec (plain JSON). Raises DefinitionError naming line and key."""
    if not isinstance(text, str) or not text.strip():
        raise DefinitionError([Problem(None, "", _("the definition is empty"))])
    if len(text) > MAX_YAML_CHARS:
        raise DefinitionError([Problem(None, "", _("the definition is longer than %(n)s characters") % {"n": MAX_YAML_CHARS})])
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DefinitionError([Problem(mark.line + 1 if mark else None, "",
                                       _("not valid YAML: %(problem)s") % {"problem": exc.problem or exc.context})]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(None, "", _("not valid YAML: %(problem)s") % {"problem": exc})]) from None
    documents = [d for d in documents if d is not None]
    if len(documents) != 1:
        raise DefinitionError([Problem(None, "", _("expected exactly one YAML document"))])
    reader = _Reader()
    try:
        data = reader.read(documents[0])
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise DefinitionError([Problem(mark.line + 1 if mark else None, "", str(exc.problem))]) from None
    validator = _Validator(data, reader.lines)
    spec = validator.run()
    problems = sorted(reader.problems + validator.problems, key=lambda p: (p.line or 0, p.path))
    if problems:
        raise DefinitionError(problems)
    return spec


# --- typed objects the engine reads ---------------------------------------------------

def _lang_is_zh() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


@dataclass(frozen=True)
class Label:
    en: str
    zh: str

    def __str__(self) -> str:
        return self.zh if _lang_is_zh() else self.en

    @classmethod
    def of(cls, data: dict | None) -> Label | None:
        return cls(data["en"], data["zh"]) if data else None


@dataclass(frozen=True)
class Condition:
    """``when: paid`` / ``when: not paid`` on a stage or a review step."""

    flag: str
    negate: bool = False

    @classmethod
    def of(cls, text: str | None) -> Condition | None:
        if not text:
            return None
        if text.startswith("not "):
            return cls(text[4:].strip(), True)
        return cls(text)

    def holds(self, flags: dict[str, bool]) -> bool:
        return bool(flags.get(self.flag, False)) != self.negate

    def __str__(self) -> str:
        return f"not {self.flag}" if self.negate else self.flag


@dataclass(frozen=True)
class DeadlineRule:
    anchor: str  # a key date, or "stage:<key>" (the moment that stage was completed)
    offset: deadlines.Offset | None
    offset_by_priority: dict[str, deadlines.Offset] | None
    time: dt.time | None
    rule: str

    @classmethod
    def of(cls, data: dict | None) -> DeadlineRule | None:
        if not data:
            return None
        return cls(
            anchor=data["anchor"],
            offset=deadlines.parse_offset(data["offset"]) if data.get("offset") else None,
            offset_by_priority=(
                {p: deadlines.parse_offset(o) for p, o in data["offset_by_priority"].items()}
                if data.get("offset_by_priority") else None),
            time=deadlines.parse_time(data["time"]) if data.get("time") else None,
            rule=data.get("rule") or "",
        )

    @property
    def anchor_stage(self) -> str | None:
        return self.anchor[len("stage:"):] if self.anchor.startswith("stage:") else None

    def offset_for(self, priority: str | None) -> deadlines.Offset | None:
        if self.offset is not None:
            return self.offset
        return (self.offset_by_priority or {}).get(priority or "")

    def describe(self) -> str:
        """``start −30d``, ``end +5d (P0–P1) / +2d (P2–P3)``, ``publish 0d 12:00``."""
        if self.offset is not None:
            text = f"{self.anchor} {self.offset}"
        else:
            groups: dict[str, list[str]] = {}
            for priority, offset in (self.offset_by_priority or {}).items():
                groups.setdefault(str(offset), []).append(priority)
            parts = [f"{o} ({ps[0]}–{ps[-1]})" if len(ps) > 1 else f"{o} ({ps[0]})"
                     for o, ps in groups.items()]
            text = f"{self.anchor} " + " / ".join(parts)
        if self.time is not None:
            text += f" {self.time:%H:%M}"
        return text.replace("-", "−") if "stage:" not in text else text


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: Label
    rule: str
    deadline: DeadlineRule | None


@dataclass(frozen=True)
class ReviewStep:
    key: str
    role: str
    label: Label
    when: Condition | None
    rule: str
    deadline: DeadlineRule | None

    def applies(self, flags: dict[str, bool]) -> bool:
        return self.when is None or self.when.holds(flags)


@dataclass(frozen=True)
class Stage:
    key: str
    label: Label
    rule: str
    when: Condition | None
    deadline: DeadlineRule | None
    checklist: tuple[ChecklistItem, ...]
    required_fields: tuple[str, ...]
    reviews: tuple[ReviewStep, ...]
    next: tuple[str, ...]

    def applies(self, flags: dict[str, bool]) -> bool:
        return self.when is None or self.when.holds(flags)

    def reviews_for(self, flags: dict[str, bool]) -> list[ReviewStep]:
        return [step for step in self.reviews if step.applies(flags)]


@dataclass(frozen=True)
class Cadence:
    key: str
    label: Label
    every: str
    weekday: int | None  # 0 = Monday
    day: int | None
    time: dt.time | None
    since: dt.date | None
    rule: str


def _role_label(role: str) -> Label:
    with translation.override("en"):
        en = str(Role(role).label)
    with translation.override("zh-hans"):
        zh = str(Role(role).label)
    return Label(en, zh)


@dataclass(frozen=True)
class Definition:
    key: str
    label: Label
    description: Label | None
    item: str | None
    dates: tuple[str, ...]
    fields: dict[str, Label]
    flags: dict[str, Label]
    flag_defaults: dict[str, bool]
    business_days: bool
    stages: tuple[Stage, ...]
    cadences: tuple[Cadence, ...]
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_spec(cls, spec: dict) -> Definition:
        stages = tuple(
            Stage(
                key=s["key"], label=Label.of(s["name"]), rule=s["rule"],
                when=Condition.of(s.get("when")), deadline=DeadlineRule.of(s.get("deadline")),
                checklist=tuple(ChecklistItem(c["key"], Label(c["en"], c["zh"]), c["rule"],
                                              DeadlineRule.of(c.get("deadline")))
                                for c in s.get("checklist", [])),
                required_fields=tuple(s.get("required_fields", [])),
                reviews=tuple(ReviewStep(r["key"], r["role"],
                                         Label.of(r.get("name")) or _role_label(r["role"]),
                                         Condition.of(r.get("when")), r["rule"],
                                         DeadlineRule.of(r.get("deadline")))
                              for r in s.get("reviews", [])),
                next=tuple(s.get("next", [])),
            )
            for s in spec.get("stages", [])
        )
        cadences = tuple(
            Cadence(key=c["key"], label=Label.of(c["name"]), every=c["every"],
                    weekday=WEEKDAYS.index(c["weekday"]) if c.get("weekday") else None,
                    day=c.get("day"), time=deadlines.parse_time(c["time"]) if c.get("time") else None,
                    since=dt.date.fromisoformat(c["since"]) if c.get("since") else None,
                    rule=c["rule"])
            for c in spec.get("cadences", [])
        )
        return cls(
            key=spec["key"], label=Label.of(spec["name"]), description=Label.of(spec.get("description")),
            item=spec.get("item"), dates=tuple(spec.get("dates", [])),
            fields={k: Label.of(v) for k, v in spec.get("fields", {}).items()},
            flags={k: Label(v["en"], v["zh"]) for k, v in spec.get("flags", {}).items()},
            flag_defaults={k: v.get("default", False) for k, v in spec.get("flags", {}).items()},
            business_days=spec.get("business_days", False),
            stages=stages, cadences=cadences,
            _index={s.key: i for i, s in enumerate(stages)},
        )

    def stage(self, key: str) -> Stage:
        return self.stages[self._index[key]]

    def has_stage(self, key: str) -> bool:
        return key in self._index

    def position(self, key: str) -> int:
        return self._index[key]

    def between(self, a: str, b: str) -> list[Stage]:
        """The stages declared strictly between ``a`` and ``b`` (those a move skips)."""
        return list(self.stages[self._index[a] + 1:self._index[b]])

    def rules(self) -> list[str]:
        """Every DOMAIN rule id the definition cites, in order of first mention."""
        seen: dict[str, None] = {}

        def add(text: str):
            for part in re.split(r"\s*[/,]\s*", text or ""):
                if part:
                    seen.setdefault(part)

        for stage in self.stages:
            add(stage.rule)
            for thing in (stage.deadline, *stage.checklist, *stage.reviews):
                if thing is not None:
                    add(thing.rule)
        for cadence in self.cadences:
            add(cadence.rule)
        return list(seen)


def load(text: str) -> tuple[dict, Definition]:
    spec = parse(text)
    return spec, Definition.from_spec(spec)


def shipped_files() -> list[Path]:
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


# --- the DOMAIN rules a definition may cite (shown beside a definition) -----------------

RULE_TITLES = {
    "O1": gettext_lazy("Annual strategy"),
    "O2": gettext_lazy("Quarterly plans with dimensions and standards"),
    "O3": gettext_lazy("Event-opportunity intake and first screening"),
    "O4": gettext_lazy("Event evaluation: weighted score, participation checks, weekly meeting"),
    "O5": gettext_lazy("Event types and decisions (take part, host, free, heavyweight, important)"),
    "O6": gettext_lazy("Paid events: rights, price, contract, payment"),
    "O7": gettext_lazy("Lead times and reviews: plan ≥ 1 month, execution plan ≥ 2 weeks, reviews 1 day before"),
    "O8": gettext_lazy("Warm-up and recruitment"),
    "O9": gettext_lazy("On-site execution"),
    "O10": gettext_lazy("Retrospective at N+X (X = 5 for P0–P1, 2 for P2–P3), settlement and archive"),
    "O11": gettext_lazy("Content: copy, PR, collateral and the official-account deadlines"),
    "O12": gettext_lazy("Publication review"),
    "O13": gettext_lazy("Crisis PR levels"),
    "O14": gettext_lazy("Tracking"),
    "O15": gettext_lazy("Cadence: weekly evaluation, bi-weekly analysis, optimisation, quarterly refresh"),
    "O16": gettext_lazy("Channel operations"),
}


def split_rules(text: str) -> list[str]:
    return [part for part in re.split(r"\s*[/,]\s*", text or "") if part]
