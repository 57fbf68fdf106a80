"""Definitions as data: validation that names line and key, the shipped definitions
encoding seed 003, versioning (a new version applies to new runs only)."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.models import AuditEntry
from marketdesk.sop import services
from marketdesk.sop.definitions import DefinitionError, Problem, load, parse, shipped_files
from marketdesk.sop.models import ProcessDefinition
from tests.sop.conftest import shipped_text

HEADER = """key: test-content
name: {en: "Content", zh: "内容"}
item: strategy.Product
dates: [start]
"""


def problems(text: str) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return caught.value.problems


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    colour: blue
""",
        [Problem(9, "stages[0].colour", "unknown key “colour” (allowed: checklist, deadline, key, name, "
                                        "next, required_fields, reviews, rule, when)")],
        id="unknown key"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    deadline: {anchor: start, offset: -30x}
""",
        [Problem(9, "stages[0].deadline.offset",
                 "unknown offset “-30x” (write e.g. -30d, +5d, 0d, same-day or -2bd)")],
        id="bad offset"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    deadline: {anchor: begin, offset: -30d}
""",
        [Problem(9, "stages[0].deadline.anchor", "unknown anchor “begin” (one of: start, stage:draft)")],
        id="unknown anchor"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    deadline: {anchor: "stage:publish", offset: 0d}
""",
        [Problem(9, "stages[0].deadline.anchor", "unknown anchor “stage:publish”: no stage “publish”")],
        id="unknown stage anchor"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    next: [review, publish]
  - key: review
    name: {en: "Review", zh: "审核"}
    rule: O11
""",
        [Problem(9, "stages[0].next[1]", "next points to a missing stage “publish”")],
        id="next to a missing stage"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
  - key: draft
    name: {en: "Draft again", zh: "再写"}
    rule: O11
""",
        [Problem(9, "stages[1].key", "duplicate stage key “draft” (also stages[0])")],
        id="duplicate stage key"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    reviews:
      - {role: boss}
""",
        [Problem(10, "stages[0].reviews[0].role",
                 "“boss” is not a role (one of: director, team_leader, marketer, reviewer, sales, admin)")],
        id="review role not a real role"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
  - key: review
    name: {en: "Review", zh: "审核"}
    rule: O11
    next: [draft]
""",
        [Problem(12, "stages[1].next[0]", "next must point to a later stage, not “draft”")],
        id="next pointing backwards"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    when: paid
""",
        [Problem(9, "stages[0].when", "unknown flag “paid” (declared flags: none)")],
        id="unknown flag"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft", zh: "草稿"}
    rule: O11
    deadline: {anchor: start, offset: -2bd}
""",
        [Problem(9, "stages[0].deadline.offset", "business-day offset “-2bd” needs “business_days: true”")],
        id="business days not enabled"),
    pytest.param(
        """stages:
  - key: draft
    name: {en: "Draft"}
    rule: seven
""",
        [Problem(7, "stages[0].name", "missing key “zh”"),
         Problem(8, "stages[0].rule", "expected a DOMAIN rule id such as “O7” or “O4/O15”, not 'seven'")],
        id="missing translation and bad rule id"),
    pytest.param(
        """stages:
  - key: retro
    name: {en: "Retro", zh: "复盘"}
    rule: O10
    deadline: {anchor: start, offset_by_priority: {P0: +5d, P1: +5d, P2: +2d}}
""",
        [Problem(9, "stages[0].deadline.offset_by_priority", "missing key “P3”")],
        id="priority offsets incomplete"),
])
def test_validation_errors_name_line_and_key(body, expected):
    assert problems(HEADER + body) == expected


def test_yaml_syntax_and_duplicate_keys_name_their_line():
    assert problems("key: test-x\nname: {en: a, zh: b\nstages: []\n") == [
        Problem(3, "", "not valid YAML: expected ',' or '}', but got ':'")]
    assert problems(HEADER + "key: other\nstages: []\n") == [
        Problem(1, "", "a definition needs stages or cadences"),
        Problem(5, "key", "duplicate key “key”"),
    ]


def test_problem_text_reads_line_then_path():
    assert str(Problem(14, "stages[2].deadline", "unknown offset “-30x”")) == \
        "line 14, stages[2].deadline: unknown offset “-30x”"


def test_an_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(6))
    found = problems(bomb)
    assert len(found) == 1
    assert found[0].message == "the document is too large (more than 20000 nodes)"


# --- the shipped definitions encode seed 003 ---------------------------------------------

EVENT_STAGES = [
    ("intake", "活动信息收集（初筛）", "O3"),
    ("evaluation", "活动评估（周会）", "O4"),
    ("decision", "是否参加 / 是否主办 / 是否免费 / 是否重量级 / 是否重要", "O5"),
    ("rights_negotiation", "权益谈判", "O6"),
    ("rights_confirmed", "权益及价格最终确认", "O6"),
    ("contract", "合同流程", "O6"),
    ("payment", "合同付款流程", "O6"),
    ("planning", "活动策划方案（提前≥一个月）", "O7"),
    ("execution_plan", "执行跟进方案（提前≥2周）", "O7"),
    ("final_review", "业务部门审核及市场总监审核（提前一天）", "O7"),
    ("warmup", "宣发期（活动预热与招募）", "O8"),
    ("onsite", "现场执行", "O9"),
    ("retrospective", "活动复盘（N+X）", "O10"),
    ("wrap_up", "结算、成果推广、总体复盘及存档", "O10"),
]


def test_the_shipped_files_are_the_four_event_types_and_the_cadences():
    assert [p.name for p in shipped_files()] == [
        "event-exhibition.yaml", "event-livestream.yaml", "event-salon.yaml", "event-summit.yaml",
        "marketing-cadences.yaml"]


@pytest.mark.parametrize(("key", "zh", "important"), [
    ("event-exhibition", "大型：大展", True),
    ("event-summit", "中型：峰会", True),
    ("event-salon", "小型：沙龙", False),
    ("event-livestream", "线上直播", False),
])
def test_event_definitions_follow_the_seed(key, zh, important):
    from marketdesk.sop.definitions import DEFINITIONS_DIR

    spec, definition = load((DEFINITIONS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))
    assert definition.label.zh == zh
    assert definition.item == "events.Event"
    assert definition.flag_defaults == {"paid": False, "important": important, "needs_business_review": False}
    stages = [(s.key, s.label.zh, s.rule) for s in definition.stages]
    expected = list(EVENT_STAGES)
    if key == "event-livestream":
        expected[11] = ("onsite", "现场执行（线上直播）", "O9")
    assert stages == expected
    assert [str(s.when) if s.when else None for s in definition.stages] == [
        None, None, None, "paid", "paid", "paid", "paid", None, None, None, None, None, None, None]
    assert definition.stage("decision").next == ("rights_negotiation", "planning")

    planning = definition.stage("planning")
    assert [c.label.zh for c in planning.checklist] == [
        "活动目的清晰", "活动时间、主题、形式明确且符合阶段计划目标", "需支持资源合理（预算/人员）", "活动效果预估且实现路径清晰"]
    assert [(r.role, r.label.zh, r.deadline.describe()) for r in planning.reviews] == [
        ("director", "方案汇报及审核（市场总监）提前至少一个月", "start −30d")]
    execution = definition.stage("execution_plan")
    assert [c.label.zh for c in execution.checklist] == [
        "活动从筹备到结束的阶段分工明确且合理，且注明优先级及时间排期", "注明与跨部门配合的重点节点及事项",
        "有清晰的宣发节奏", "明确各环节执行所需的物料素材", "明确参会者报名转化路径"]
    assert [(r.role, str(r.when)) for r in execution.reviews] == [("director", "important")]
    final = definition.stage("final_review")
    assert [(r.role, r.label.zh, str(r.when) if r.when else None, r.deadline.describe()) for r in final.reviews] == [
        ("team_leader", "团队负责人审核", None, "start −1d"),
        ("reviewer", "业务部门审核（提前一天）", "needs_business_review", "start −1d"),
        ("director", "市场总监审核（提前1天）", None, "start −1d"),
    ]
    assert [c.label.zh for c in definition.stage("warmup").checklist] == [
        "按期完成当日规定的宣发动作", "保证报名率在正常增长范围，否则需加强宣发计划",
        "重大活动需每日同步活动效果日报（各渠道报名信息）", "此期间需重点维护新沉淀社群资源（如有此计划）"]
    onsite = [c.label.zh for c in definition.stage("onsite").checklist]
    if key == "event-livestream":
        assert onsite == ["彩排（直播流程、嘉宾及平台）", "会前沟通会", "有风险备选方案（如备用直播流）",
                          "明确直播重要节点流程及各环节重要责任人", "做好突发状况处理及备案"]
    else:
        assert onsite == ["彩排", "会前沟通会", "有风险备选方案", "明确现场活动重要节点流程及内外部各环节重要责任人",
                          "做好突发状况处理及备案", "现场活动素材收集"]
    retro = definition.stage("retrospective")
    assert retro.deadline.describe() == "end +5d (P0–P1) / +2d (P2–P3)"
    assert [c.label.zh for c in retro.checklist] == [
        "活动效果数据统计及分析，是否达到预估效果", "活动花费是否超出预算", "活动留存线索及资源跟进",
        "优缺点分析判断活动综合价值及改进措施", "根据活动重量级，判断活动结束日期N+X天后进行复盘"]
    assert [c.label.zh for c in definition.stage("wrap_up").checklist] == [
        "结算款项", "素材输出，成果推广", "总体复盘（活动总结、活动简报、客户跟进和分配）", "优化方案"]
    assert definition.stage("wrap_up").next == ()
    assert definition.rules() == ["O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10"]
    assert spec["key"] == key


def test_the_cadences_of_the_seed():
    from marketdesk.sop.definitions import DEFINITIONS_DIR

    _spec, definition = load((DEFINITIONS_DIR / "marketing-cadences.yaml").read_text(encoding="utf-8"))
    assert [(c.key, c.label.zh, c.every, c.weekday, c.time, c.rule) for c in definition.cadences] == [
        ("weekly_evaluation", "周会活动评估", "week", 0, dt.time(10, 0), "O4/O15"),
        ("project_analysis", "营销项目分析（双周）", "2weeks", 3, dt.time(15, 0), "O15"),
        ("optimisation_suggestions", "优化建议：内容/活动/形式/渠道（周度）", "week", 4, dt.time(16, 0), "O15"),
        ("product_copy", "产品包装文案（周更）", "week", 2, None, "O11"),
        ("press_copy", "新闻稿/PR稿/采访稿（周更）", "week", 1, None, "O11"),
        ("collateral_refresh", "官网内容、展板、易拉宝、PPT优化、折页册子（季度更新）", "quarter", None, None, "O11/O15"),
    ]


# --- versions ------------------------------------------------------------------------

def test_migrate_loaded_every_shipped_definition_once(db):
    rows = sorted(ProcessDefinition.objects.filter(team__isnull=True).values_list("key", "version"))
    assert rows == [("event-exhibition", 1), ("event-livestream", 1), ("event-salon", 1),
                    ("event-summit", 1), ("marketing-cadences", 1)]
    assert services.sop_sync_definitions() == []
    assert ProcessDefinition.objects.count() == 5


def test_sync_inserts_a_new_version_only_when_the_shipped_spec_changed(db, tmp_path):
    original = ProcessDefinition.objects.get(key="event-salon", team__isnull=True)
    path = tmp_path / "event-salon.yaml"
    text = original.yaml_text
    path.write_text("# a comment changes nothing\n" + text, encoding="utf-8")
    assert services.sop_sync_definitions([path]) == []
    path.write_text(text.replace("default: false}\n  needs_business_review",
                                 "default: true}\n  needs_business_review"), encoding="utf-8")
    [created] = services.sop_sync_definitions([path])
    assert (created.key, created.version, created.team_id) == ("event-salon", 2, None)
    assert created.spec["flags"]["important"]["default"] is True
    original.refresh_from_db()
    assert original.spec["flags"]["important"]["default"] is False  # never mutated
    assert services.definition_for("event-salon", None) == created


def test_a_broken_shipped_file_names_the_file(db, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(HEADER + "stages: {}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        services.sop_sync_definitions([path])
    assert caught.value.problems == [Problem(5, "broken.yaml: stages", "expected a list of stages")]


def test_a_new_version_applies_to_new_runs_only(adapter, install, make_product, team_a, users):
    v1 = install(shipped_text("event-salon"))
    first = make_product()
    adapter.set(first, dates={"start": dt.date(2030, 6, 1), "end": dt.date(2030, 6, 1)}, priority="P1")
    old_run = services.run_start(first, definition_key="test-event-salon", by=users["marketer"])
    v2 = install(shipped_text("event-salon").replace("offset: -30d", "offset: -45d"))
    assert (v1.version, v2.version) == (1, 2)
    second = make_product()
    adapter.set(second, dates={"start": dt.date(2030, 6, 1), "end": dt.date(2030, 6, 1)}, priority="P1")
    new_run = services.run_start(second, definition_key="test-event-salon", by=users["marketer"])
    assert old_run.definition_id == v1.pk and new_run.definition_id == v2.pk
    due = {r.pk: {e.key: e.due_at for e in services.timeline(r)}["planning"] for r in (old_run, new_run)}
    assert due == {old_run.pk: dt.datetime(2030, 5, 2, 15, 59, 59, 999999, tzinfo=dt.UTC),
                   new_run.pk: dt.datetime(2030, 4, 17, 15, 59, 59, 999999, tzinfo=dt.UTC)}
    # Rescheduling the old run keeps its pinned version's rules.
    services.run_reschedule(old_run, by=users["marketer"])
    assert {e.key: e.due_at for e in services.timeline(old_run)}["planning"] == due[old_run.pk]


def test_team_copies_take_precedence_for_their_team_only(db, team_a, team_b, users):
    builtin = services.definition_for("event-salon", team_a)
    text = builtin.yaml_text.replace('zh: "小型：沙龙"', 'zh: "小型：沙龙（增长团队）"')
    copy, created = services.definition_save_copy(builtin, team=team_a, yaml_text=text, by=users["team_leader"])
    assert created is True
    assert (copy.team_id, copy.version, copy.name_zh) == (team_a.pk, 1, "小型：沙龙（增长团队）")
    assert services.definition_for("event-salon", team_a) == copy
    assert services.definition_for("event-salon", team_b) == builtin
    again, created_again = services.definition_save_copy(builtin, team=team_a, yaml_text=text,
                                                         by=users["team_leader"])
    assert (again, created_again) == (copy, False)
    entry = AuditEntry.objects.filter(action="create", object_id=str(copy.pk),
                                      content_type__model="processdefinition").get()
    assert entry.changes == {"after": {"key": "event-salon", "version": 1, "team_id": team_a.pk}}

    assert services.definition_use_builtin(team=team_a, key="event-salon", by=users["team_leader"]) == 1
    assert services.definition_for("event-salon", team_a) == builtin


def test_a_copy_must_keep_its_key_and_only_leaders_of_the_team_save_one(db, team_a, team_b, users, make_user):
    from django.core.exceptions import PermissionDenied

    builtin = services.definition_for("event-salon", None)
    with pytest.raises(DefinitionError) as caught:
        services.definition_save_copy(builtin, team=team_a, by=users["team_leader"],
                                      yaml_text=builtin.yaml_text.replace("key: event-salon", "key: my-salon"))
    assert [str(p) for p in caught.value.problems] == [
        "key: the key must stay “event-salon” (a copy edits this process; it was “my-salon”)"]
    with pytest.raises(PermissionDenied):
        services.definition_save_copy(builtin, team=team_a, yaml_text=builtin.yaml_text, by=users["marketer"])
    with pytest.raises(PermissionDenied):
        services.definition_save_copy(builtin, team=team_b, yaml_text=builtin.yaml_text, by=users["team_leader"])
    assert ProcessDefinition.objects.filter(team__isnull=False).count() == 0
