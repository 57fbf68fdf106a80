"""Issue 3's walkthrough of one event, in Chinese, in a real browser.

A marketer files a salon in Shanghai through the intake form, finds it in the ranked
list, accepts it at the first screening and scores the six criteria; the team leader
decides to take part (salon, P1, with the business department's support), which starts
the salon process. The plan is written and its standards ticked, the director approves
it, the execution plan follows, and the final reviews go team leader → business reviewer
→ director, each from their own browser and their own review inbox, while a review out of
turn is refused with the reason. After the warm-up and on-site checklists the scheduler,
on day N+5 after the end, opens the retrospective with the event's numbers filled in.

Elements are found by ids, names, hrefs and data attributes; the only text asserted is
user data, dates and the Chinese the catalogue fixes.
"""

import datetime as dt
import re
import zoneinfo
from contextlib import ExitStack
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from marketdesk.accounts import services as accounts
from marketdesk.core.roles import Role
from marketdesk.events import models as m
from marketdesk.events import services as events
from marketdesk.schedule.jobs import run_scheduler
from marketdesk.sop.models import ProcessRun
from tests.browser.conftest import arrive, artifact_path
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENT = "上海客户增长沙龙"
ORGANISER = "沪上营销人俱乐部"
CITY = "上海"
PLAN = "目标：30家目标客户到场；主题：线索转化；预算2万元。"
SCORES = {"topic_fit": 5, "organiser": 4, "attendees": 4, "cost_effectiveness": 3,
          "references": 5, "other": 3}  # Σ 24 of 30 with equal weights → 80
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def zh(text) -> str:
    """A label as the catalogue (or a definition's zh name) renders it in Chinese."""
    with translation.override("zh-hans"):
        return str(text)


def stage_label(run, key) -> str:
    return zh(run.definition.parsed.stage(key).label)


def panel_of(page, run):
    return page.locator(f"#sop-panel-{run.pk}")


def tick_all(page, run, keys) -> None:
    """Tick each standard of the current stage; every tick swaps the panel (HTMX), so the
    next one waits for the previous to show as ticked."""
    panel = panel_of(page, run)
    for key in keys:
        button = panel.locator(f'form:has(input[name=item_key][value="{key}"]) button[type=submit]')
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(panel.locator(f'form:has(input[name=item_key][value="{key}"]) button[type=submit]')
               ).to_have_attribute("aria-pressed", "true")
    expect(panel.locator(".alert-success")).to_have_text("检查项已保存。")


def advance(page, run, before: str, after: str) -> None:
    panel = panel_of(page, run)
    panel.locator(f'form[action="/sop/runs/{run.pk}/advance/"] button[name=to_stage][value="{after}"]').click()
    expect(panel.locator(".alert-success")).to_have_text(
        f"已从“{stage_label(run, before)}”进入“{stage_label(run, after)}”。")
    expect(panel.locator("h2")).to_contain_text(stage_label(run, after))
    run.refresh_from_db()
    assert run.stage == after


def approve(page, run, step_label: str) -> None:
    panel = panel_of(page, run)
    panel.locator(f"#sop-comment-{run.pk}").fill("同意")
    panel.locator("button[name=decision][value=approved]").click()
    expect(panel.locator(".alert-success")).to_have_text(f"已通过：{step_label}。")


def test_a_salon_goes_from_intake_to_its_automatic_retrospective(
        browser, page, login, warm_server, settings, team_a):
    team = team_a
    marketer = accounts.user_create(username="mei.li", password=PASSWORD, role=Role.MARKETER,
                                    teams=[team], first_name="Mei", last_name="Li")
    leader = accounts.user_create(username="wang.lei", password=PASSWORD, role=Role.TEAM_LEADER,
                                  teams=[team], language="zh-hans")
    business = accounts.user_create(username="zhao.min", password=PASSWORD, role=Role.REVIEWER,
                                    teams=[team], language="zh-hans")
    director = accounts.user_create(username="chen.jie", password=PASSWORD, role=Role.DIRECTOR,
                                    teams=[team], language="zh-hans")
    today = events.team_today(team)
    start = today + dt.timedelta(days=40)
    end = start + dt.timedelta(days=1)
    base = page.base_url

    with ExitStack() as contexts:
        def browser_of(user):
            """A browser of its own for ``user`` (their own cookies), signed in."""
            context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900},
                                          base_url=base)
            contexts.callback(context.close)
            context.set_default_timeout(15_000)
            pg = context.new_page()
            pg.base_url = base
            login(pg, user)
            expect(pg.locator("html")).to_have_attribute("lang", "zh-hans")
            return pg

        # --- the marketer signs in and switches the interface to Chinese -----------------
        login(page, marketer)
        page.locator("nav select[name=language]").select_option("zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        arrive(page, "/")

        # --- intake (O3): a salon in Shanghai, through the form ---------------------------
        page.goto("/events/")
        expect(page.locator("main h1")).to_have_text("活动机会")
        new = page.locator('main a[href="/events/new/"]')
        expect(new).to_contain_text("新建活动机会")
        new.click()
        arrive(page, "/events/new/")
        expect(page.locator("#id_team")).to_have_value(str(team.pk))
        page.locator("#id_name").fill(EVENT)
        page.locator("#id_organiser").fill(ORGANISER)
        page.locator("#id_source_channel").select_option(m.Event.SourceChannel.OFFICIAL_ACCOUNT.value)
        page.locator("#id_start_date").fill(start.isoformat())
        page.locator("#id_end_date").fill(end.isoformat())
        page.locator("#id_city").fill(CITY)
        page.locator("#id_region_tier").select_option(m.Event.RegionTier.TIER1.value)
        page.locator("#id_expected_attendees").fill("60")
        page.locator("main form[method=post] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/events/\d+/$"))
        event = m.Event.objects.get(name=EVENT)
        assert (event.team_id, event.owner_id, event.start_date, event.end_date, event.city,
                event.screening, event.decision) == (
            team.pk, marketer.pk, start, end, CITY, m.Event.Screening.NEW, m.Event.Decision.PENDING)
        event_path = f"/events/{event.pk}/"
        arrive(page, event_path)
        expect(page.locator("main h1")).to_have_text(EVENT)

        # --- the ranked intake list (O4) -------------------------------------------------
        page.goto("/events/")
        rows = page.locator("#results tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.locator(f'a[href="{event_path}"]')).to_have_text(EVENT)
        expect(rows.locator("time")).to_have_attribute("datetime", start.isoformat())
        rows.locator(f'a[href="{event_path}"]').click()
        arrive(page, event_path)

        # --- first screening: accept (an HTMX swap of the screening box) ------------------
        screening = page.locator("#screening")
        expect(screening.locator("input[name=accept][value=accept]")).to_be_checked()
        with page.expect_response(lambda r: r.url.endswith(f"{event_path}screen/")) as screened:
            screening.locator("button[type=submit]").click()
        assert screened.value.status == 200
        expect(page.locator("#screening strong")).to_have_text(zh(m.Event.Screening.ACCEPTED.label))
        event.refresh_from_db()
        assert event.screening == m.Event.Screening.ACCEPTED

        # --- evaluation: the six criteria and the participation checks (O4) ---------------
        page.locator(f'main a[href="{event_path}evaluate/"]').click()
        arrive(page, f"{event_path}evaluate/")
        for key, value in SCORES.items():
            page.locator(f'label[for="id_score_{key}_{value}"]').click()
            expect(page.locator(f"#id_score_{key}_{value}")).to_be_checked()
        for select in page.locator("main select[name^=check_]").all():
            select.select_option(m.CheckAnswer.YES.value)
        page.locator("#id_note").fill("主题契合，主办方在上海有影响力。")
        page.locator("main form[method=post] button[type=submit]").click()
        arrive(page, event_path)
        event.refresh_from_db()
        assert event.score == Decimal("80.00")

        # --- the team leader decides at the weekly meeting (O5); the process starts --------
        lead = browser_of(leader)
        lead.goto(f"{event_path}decide/")
        lead.locator("#id_decision").select_option(m.Event.Decision.GO.value)
        lead.locator("#id_event_type").select_option(m.Event.Type.SALON.value)
        lead.locator("#id_priority").select_option("P1")
        expect(lead.locator("#id_free")).to_be_checked()
        lead.locator("#id_needs_business_support").check()
        lead.locator("main form[method=post] button[type=submit]").click()
        arrive(lead, event_path)
        event.refresh_from_db()
        assert (event.decision, event.event_type, event.priority, event.needs_business_support,
                event.free) == (m.Event.Decision.GO, "salon", "P1", True, True)
        run = ProcessRun.objects.get(object_id=event.pk)
        assert (run.definition.key, run.stage, run.status) == ("event-salon", "decision", "active")
        expect(lead.locator("main header")).to_contain_text(zh(m.Event.Type.SALON.label))

        # The event page shows the timeline; the plan is due one month before the start.
        timeline = page.locator(f"#sop-timeline-{run.pk}")
        page.reload()
        expect(timeline.locator("h2")).to_have_text("截止期限")
        plan_due = start - dt.timedelta(days=30)
        plan_row = timeline.locator('li[data-key="planning"]')
        expect(plan_row.locator("time").first).to_have_text(plan_due.isoformat())
        expect(plan_row.locator("time").first).to_have_attribute(
            "datetime", re.compile(rf"^{plan_due.isoformat()}T23:59:59"))
        expect(plan_row).to_have_class(re.compile(r"\bsop-state-upcoming\b"))
        expect(timeline.locator(".sop-state-overdue")).to_have_count(0)
        expect(timeline.locator('li[data-key="final_review.review.business"] time').first).to_have_text(
            (start - dt.timedelta(days=1)).isoformat())
        path = artifact_path("event_walkthrough_zh_timeline.png")
        if path:
            page.screenshot(path=path, full_page=True)

        # --- the director's evaluation at the decision stage ------------------------------
        boss = browser_of(director)
        boss.goto("/sop/reviews/")
        expect(boss.locator("main h1")).to_have_text("我的审核")
        boss.locator(f'main tbody a[href="{event_path}"]').click()
        arrive(boss, event_path)
        approve(boss, run, zh(run.definition.parsed.stage("decision").reviews[0].label))

        # --- the plan (O7): written, its standards ticked, approved, left -----------------
        page.reload()
        advance(page, run, "decision", "planning")
        page.locator(f'main a[href="{event_path}plan/"]').click()
        expect(page).to_have_url(f"{base}{event_path}plan/")
        page.goto(f"{event_path}edit/plan/")
        page.locator("#id_plan").fill(PLAN)
        page.locator("#id_budget").fill("20000")
        page.locator("main form[method=post] button[type=submit]").click()
        arrive(page, f"{event_path}plan/")
        tick_all(page, run, ["goal", "fit", "resources", "effect"])
        plan_review = zh(run.definition.parsed.stage("planning").reviews[0].label)
        boss.reload()
        approve(boss, run, plan_review)
        page.reload()
        advance(page, run, "planning", "execution_plan")

        # --- the execution follow-up plan (O7) --------------------------------------------
        page.goto(f"{event_path}edit/execution/")
        page.locator("#id_cross_team_nodes").fill("会前一周与销售部确认邀约名单")
        page.locator("#id_publicity_rhythm").fill("提前三周公众号首发，每周两次社群推送")
        page.locator("#id_materials").fill("易拉宝、产品手册、签到二维码")
        page.locator("#id_registration_path").fill("公众号文章 → 报名表 → 电话确认")
        page.locator("main form[method=post] button[type=submit]").click()
        arrive(page, f"{event_path}execution/")
        tick_all(page, run, ["division_of_labour", "cross_team", "publicity_rhythm", "materials",
                             "registration_path"])
        advance(page, run, "execution_plan", "final_review")

        # --- the final reviews: team leader → business reviewer → director (O7) -----------
        final = run.definition.parsed.stage("final_review")
        steps = {step.key: zh(step.label) for step in final.reviews}
        # Out of turn: the director is not offered the review and is told why.
        boss.reload()
        boss_panel = panel_of(boss, run)
        expect(boss_panel.locator("button[name=decision]")).to_have_count(0)
        expect(boss_panel.locator(f"#sop-review-blocker-{run.pk}")).to_have_text(
            f"此审核步骤（{steps['team_leader']}）应由{zh(Role.TEAM_LEADER.label)}审核；"
            f"您的角色是{zh(Role.DIRECTOR.label)}。")
        boss.goto("/sop/reviews/")
        expect(boss.locator(f'main tbody a[href="{event_path}"]')).to_have_count(0)

        reviewer_page = browser_of(business)
        for reviewer_pg, step in ((lead, "team_leader"), (reviewer_page, "business"), (boss, "director")):
            reviewer_pg.goto("/sop/reviews/")
            item = reviewer_pg.locator(f'main tbody tr:has(a[href="{event_path}"])')
            expect(item).to_have_count(1)
            expect(item.locator("td").nth(3)).to_have_text(steps[step])
            item.locator(f'a[href="{event_path}"]').click()
            arrive(reviewer_pg, event_path)
            approve(reviewer_pg, run, steps[step])
        assert [(r.step, r.reviewer_id) for r in run.reviews.filter(stage="final_review")
                .order_by("position")] == [("team_leader", leader.pk), ("business", business.pk),
                                           ("director", director.pk)]

        # --- warm-up (O8) and on site (O9) -------------------------------------------------
        page.reload()
        advance(page, run, "final_review", "warmup")
        tick_all(page, run, ["daily_actions", "registration_rate", "daily_report", "community"])
        advance(page, run, "warmup", "onsite")
        tick_all(page, run, ["rehearsal", "pre_meeting", "fallback", "key_nodes", "incidents",
                             "materials"])

        # Costs of the event: what the retrospective compares with the budget.
        page.goto(f"{event_path}costs/new/")
        page.locator("#id_category").select_option(m.CostLine.Category.VENUE.value)
        page.locator("#id_description").fill("场地租赁")
        page.locator("#id_planned_amount").fill("15000")
        page.locator("#id_actual_amount").fill("12500.50")
        page.locator("main form[method=post] button[type=submit]").click()
        arrive(page, f"{event_path}costs/")
        assert not m.Retrospective.objects.filter(event=event).exists()

        # --- N+5 days after the end (P1), the scheduler opens the retrospective (O10) -----
        zone = zoneinfo.ZoneInfo(team.time_zone)
        settings.TASKS = IMMEDIATE_TASKS
        day_before = dt.datetime.combine(end + dt.timedelta(days=4), dt.time(10, 0), tzinfo=zone)
        run_scheduler(once=True, now=day_before)
        assert not m.Retrospective.objects.filter(event=event).exists()
        due_day = dt.datetime.combine(end + dt.timedelta(days=5), dt.time(10, 0), tzinfo=zone)
        run_scheduler(once=True, now=due_day)
        retro = m.Retrospective.objects.get(event=event)
        assert (retro.budget, retro.actual_spend, retro.planned_spend, retro.leads,
                retro.attendance_target) == (Decimal("20000.00"), Decimal("12500.50"),
                                             Decimal("15000.00"), 0, 60)

        page.goto(f"{event_path}retrospective/")
        numbers = page.locator("[data-testid=retro-numbers]")
        expect(numbers.locator("dt")).to_have_text(["花费与预算", "报名与目标", "到场与目标",
                                                    "获取线索（移交销售）", "单条线索成本"])
        expect(numbers.locator("dd")).to_have_text([
            "12500.50 / 20000.00 CNY (-7499.50)", "0 / —", "— / 60", "0 (0)", "—"])
