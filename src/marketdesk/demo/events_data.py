"""The demo company's year of events (seed 003): developer salons, SDK summits, big
exhibitions and livestreams, from a first sighting to the archive.

Dates are day offsets from the load day: ``start`` > 0 is ahead, < 0 is past; ``decided``
is how many days before the load day the team decided (and the SOP run started).
``at`` is where the event stands:

- ``new`` — waiting for the first screening; ``rejected`` — screened out (``reason``);
- ``evaluated`` — scored, waiting for the decision; ``no_go`` — decided against;
- a stage key of the ``event-*`` process — the run stands in that stage; ``done`` lists
  what is already done there (checklist item keys and approved review steps);
- ``archived`` — the run is complete (retrospective written, wrap-up done).

The generator fills in what each stage needs (plan, tasks, paid path, registrations,
key nodes, cost lines, leads, retrospective) from the entries below. Organisers and
figures are fictional.
"""

from __future__ import annotations

# Registration channels (O8) and their share of a day's registrations.
CHANNELS = [("公众号 WeChat OA", 45), ("活动行 Huodongxing", 30), ("开发者社群 Community", 15),
            ("官网 Website", 10)]

SERIES = {
    "salon-series": {
        "name": "数研开发者沙龙系列 DataSense Developer Salons",
        "description": "每季度一场的城市开发者沙龙:SDK 实战、埋点治理、隐私合规。\n\n"
                       "A quarterly city salon for developers: SDK hands-on, tracking plans, "
                       "privacy compliance.",
        "retrospective": {
            "strengths": "两场沙龙累计沉淀 300+ 开发者社群成员;实操环节满意度最高。",
            "weaknesses": "二线城市场次报名转化偏低;物料重复制作,成本偏高。",
            "overall_value": "系列活动是 SDK 新客户最稳定的来源,线索成本低于展会。",
            "improvements": "下一季固定物料模板;二线城市与本地技术社区联合主办。",
        },
    },
}

SCORES_HIGH = {"topic_fit": 5, "organiser": 4, "attendees": 4, "cost_effectiveness": 4,
               "references": 4, "other": 3}
SCORES_MID = {"topic_fit": 4, "organiser": 3, "attendees": 3, "cost_effectiveness": 3,
              "references": 3, "other": 3}
SCORES_LOW = {"topic_fit": 3, "organiser": 2, "attendees": 3, "cost_effectiveness": 2,
              "references": 2, "other": 2}
CHECKS_ALL = {"competitor_present": "yes", "organiser_background": "yes",
              "past_influence": "yes", "business_value": "yes", "cost_effective": "yes"}

RETRO_TEXT = {
    "strengths": "展位动线清晰,SDK 现场演示吸引了大量开发者驻足;销售当天完成首轮沟通。",
    "weaknesses": "报名前两周增长缓慢,宣发节奏偏晚;现场网络不稳定影响演示。",
    "overall_value": "线索质量高,单条线索成本低于预算;品牌曝光达到预期。",
    "improvements": "提前四周启动宣发;现场自带 4G 路由器作为网络备选方案。",
}

_COSTS_SALON = [("venue", "场地租赁 Venue", "3000", "2800"),
                ("catering", "茶歇 Coffee break", "1500", "1650"),
                ("gifts", "开发者礼品 Swag", "2000", "1900")]
_COSTS_BIG = [("fee", "展位费 Booth fee", "80000", "80000"),
              ("booth", "展台搭建 Booth build", "45000", "48500"),
              ("materials", "物料印刷 Printing", "8000", "7200"),
              ("travel", "差旅 Travel", "12000", "13800")]
_COSTS_LIVE = [("promotion", "直播投放 Promotion", "6000", "5400"),
               ("staff", "直播代运营 Streaming agency", "4000", "4000")]

_LEADS = [
    ("张伟", "星河出行 Galaxy Mobility", "移动端负责人", "13800000001", "", "漏斗分析、留存"),
    ("李静", "云栈零售 CloudStack Retail", "数据产品经理", "", "li.jing@example.com", "隐私合规模式"),
    ("王强", "青禾教育 Qinghe Edu", "CTO", "13800000003", "", "SDK 私有化部署"),
    ("赵敏", "蓝鲸游戏 Bluewhale Games", "增长负责人", "", "zhao.min@example.com", "实时看板"),
    ("陈晨", "知行医疗 Zhixing Health", "研发经理", "13800000005", "", "合规采集"),
    ("刘洋", "北辰物流 Beichen Logistics", "IT 总监", "", "liu.yang@example.com", "App 分析试用"),
]


def _salon(key, name, city, start, **kw):
    return {"key": key, "name": name, "type": "salon", "team": "pmm", "owner": "marketer",
            "organiser": "数研科技 DataSense", "source_channel": "other", "city": city,
            "region_tier": "tier1", "our_role": "host", "expected_attendees": 80,
            "start": start, **kw}


EVENTS = [
    # --- intake: new and rejected (O3) ---------------------------------------------------
    {"key": "fintech-summit", "name": "金融科技开发者峰会 · 深圳 FinTech Dev Summit",
     "type": "summit", "team": "events", "owner": "events", "at": "new",
     "organiser": "深圳金融科技协会(虚构)", "source_channel": "event_platform", "city": "深圳",
     "region_tier": "tier1", "start": 110, "expected_attendees": 600, "price": "20000"},
    {"key": "gdg-live", "name": "移动开发直播周 Mobile Dev Live Week", "type": "livestream",
     "team": "pmm", "owner": "marketer", "at": "new", "organiser": "开发者头条(虚构)",
     "source_channel": "media", "online": True, "start": 75, "expected_attendees": 3000},
    {"key": "retail-expo", "name": "零售数字化博览会 Retail Digital Expo", "type": "exhibition",
     "team": "events", "owner": "events", "at": "rejected",
     "reason": "受众以门店采购为主,与 SDK 开发者受众不符。Audience is store buyers, not developers.",
     "organiser": "华东零售联合会(虚构)", "source_channel": "official_account", "city": "杭州",
     "region_tier": "tier2", "start": 60, "expected_attendees": 5000, "price": "60000"},
    {"key": "blockchain-salon", "name": "区块链开发者沙龙 Blockchain Dev Salon", "type": "salon",
     "team": "pmm", "owner": "marketer", "at": "rejected",
     "reason": "主题与产品无关,且与 SDK 峰会同周。Off-topic, and the same week as the SDK summit.",
     "organiser": "链上社区(虚构)", "source_channel": "referral", "city": "北京",
     "region_tier": "tier1", "start": 40, "expected_attendees": 60},
    # --- evaluated and ranked, not decided yet (O4) -------------------------------------
    {"key": "ai-summit", "name": "AI 应用开发者大会 AI App Dev Conference", "type": "summit",
     "team": "pmm", "owner": "marketer", "at": "evaluated", "scores": SCORES_HIGH,
     "organiser": "中国软件协会(虚构)", "source_channel": "event_platform", "city": "北京",
     "region_tier": "tier1", "start": 95, "expected_attendees": 1500, "price": "30000"},
    {"key": "growth-live", "name": "增长黑客直播间 Growth Hacking Live", "type": "livestream",
     "team": "events", "owner": "events", "at": "evaluated", "scores": SCORES_MID,
     "organiser": "增长研究社(虚构)", "source_channel": "official_account", "online": True,
     "start": 70, "expected_attendees": 2000},
    {"key": "chengdu-salon", "name": "成都开发者沙龙 Chengdu Dev Salon", "type": "salon",
     "team": "pmm", "owner": "marketer", "at": "evaluated", "scores": SCORES_LOW,
     "organiser": "天府开发者社区(虚构)", "source_channel": "search_keyword", "city": "成都",
     "region_tier": "tier2", "start": 85, "expected_attendees": 50},
    {"key": "cloud-expo", "name": "云计算产业博览会 Cloud Industry Expo", "type": "exhibition",
     "team": "pmm", "owner": "marketer", "at": "no_go", "scores": SCORES_LOW,
     "note": "展位费超出季度预算,竞品未参展。Booth fee over the quarter's budget; no competitor attends.",
     "organiser": "云产业联盟(虚构)", "source_channel": "competitor_move", "city": "上海",
     "region_tier": "tier1", "start": 55, "expected_attendees": 8000, "price": "120000"},
    # --- decided: the director's evaluation, the paid path (O5, O6) --------------------
    {"key": "iot-summit", "name": "物联网开发者峰会 IoT Dev Summit", "type": "summit",
     "team": "pmm", "owner": "marketer", "at": "decision", "decided": 2,
     "decision": {"priority": "P2", "our_role": "speak"}, "scores": SCORES_MID,
     "organiser": "物联网产业联盟(虚构)", "source_channel": "event_platform", "city": "苏州",
     "region_tier": "tier2", "start": 80, "expected_attendees": 700},
    {"key": "data-expo", "name": "数据智能博览会 Data Intelligence Expo", "type": "exhibition",
     "team": "pmm", "owner": "marketer", "at": "contract", "decided": 12,
     "decision": {"priority": "P0", "free": False, "heavyweight": True, "important": True,
                  "our_role": "sponsor", "needs_business_support": True},
     "scores": SCORES_HIGH, "organiser": "国家数据产业联盟(虚构)",
     "source_channel": "official_account", "city": "上海", "region_tier": "tier1",
     "venue": "国家会展中心 NECC", "start": 100, "days": 3, "expected_attendees": 20000,
     "price": "80000", "budget": "150000", "costs": _COSTS_BIG},
    {"key": "sdk-summit", "name": "移动 SDK 技术峰会 Mobile SDK Summit", "type": "summit",
     "team": "pmm", "owner": "marketer", "at": "payment", "decided": 20,
     "decision": {"priority": "P1", "free": False, "important": True, "our_role": "speak"},
     "scores": SCORES_HIGH, "organiser": "移动开发者联盟(虚构)",
     "source_channel": "event_platform", "city": "北京", "region_tier": "tier1",
     "start": 65, "days": 2, "expected_attendees": 1200, "price": "25000",
     "budget": "40000", "costs": [("fee", "演讲赞助 Speaking sponsorship", "25000", None)]},
    # --- planning: plan reviews pending and overdue (O7) --------------------------------
    {"key": "privacy-live", "name": "个人信息保护合规直播 Privacy Compliance Live",
     "type": "livestream", "team": "events", "owner": "events", "at": "planning",
     "decided": 10, "decision": {"priority": "P2"}, "scores": SCORES_MID,
     "done": ["goal", "fit"], "organiser": "数研科技 DataSense", "source_channel": "other",
     "online": True, "start": 50, "expected_attendees": 1500},
    {"key": "hangzhou-salon", "name": "杭州开发者沙龙 Hangzhou Dev Salon", "type": "salon",
     "team": "events", "owner": "events", "at": "planning", "decided": 30,
     "decision": {"priority": "P3", "our_role": "host"}, "scores": SCORES_MID,
     "done": ["goal", "fit", "resources", "effect"], "plan": True,
     "organiser": "数研科技 DataSense", "source_channel": "other", "city": "杭州",
     "region_tier": "tier2", "start": 22, "expected_attendees": 60, "budget": "8000"},
    {"key": "bi-summit", "name": "商业智能峰会 BI Summit", "type": "summit", "team": "pmm",
     "owner": "marketer", "at": "planning", "decided": 35,
     "decision": {"priority": "P1", "important": True, "our_role": "speak"},
     "scores": SCORES_HIGH, "done": ["goal", "fit", "resources", "effect"], "plan": True,
     "organiser": "商业智能研究院(虚构)", "source_channel": "media", "city": "上海",
     "region_tier": "tier1", "start": 18, "expected_attendees": 900, "budget": "20000"},
    # --- execution plan and the final reviews (O7) ---------------------------------------
    {"key": "guangzhou-salon", "name": "广州开发者沙龙 Guangzhou Dev Salon", "type": "salon",
     "team": "pmm", "owner": "marketer", "at": "execution_plan", "decided": 45,
     "decision": {"priority": "P2", "our_role": "host"}, "scores": SCORES_MID,
     "done": ["division_of_labour", "cross_team"], "organiser": "数研科技 DataSense",
     "source_channel": "other", "city": "广州", "region_tier": "tier1", "start": 26,
     "expected_attendees": 80, "budget": "9000", "costs": _COSTS_SALON},
    {"key": "retail-live", "name": "零售 App 增长直播 Retail App Growth Live",
     "type": "livestream", "team": "pmm", "owner": "marketer", "at": "final_review",
     "decided": 50, "decision": {"priority": "P2"}, "scores": SCORES_MID, "done": [],
     "organiser": "数研科技 DataSense", "source_channel": "other", "online": True, "start": 9,
     "expected_attendees": 2000, "budget": "10000", "costs": _COSTS_LIVE},
    {"key": "devops-summit", "name": "DevOps 与可观测性峰会 DevOps & Observability Summit",
     "type": "summit", "team": "pmm", "owner": "marketer", "at": "final_review",
     "decided": 55, "decision": {"priority": "P1", "needs_business_support": True,
                                 "our_role": "speak"},
     "scores": SCORES_HIGH, "done": ["team_leader"], "organiser": "云原生社区(虚构)",
     "source_channel": "referral", "city": "深圳", "region_tier": "tier1", "start": 8,
     "days": 2, "expected_attendees": 1000, "budget": "15000"},
    {"key": "nanjing-salon", "name": "南京开发者沙龙 Nanjing Dev Salon", "type": "salon",
     "team": "pmm", "owner": "marketer", "at": "final_review", "decided": 40,
     "decision": {"priority": "P3", "needs_business_support": True, "our_role": "host"},
     "scores": SCORES_MID, "done": ["team_leader", "business"],
     "organiser": "数研科技 DataSense", "source_channel": "other", "city": "南京",
     "region_tier": "tier2", "start": 7, "expected_attendees": 60, "budget": "7000",
     "costs": _COSTS_SALON},
    # --- warm-up with registrations per channel and day (O8) ------------------------------
    {"key": "sdk-launch-live", "name": "SDK 4.0 发布直播 SDK 4.0 Launch Live",
     "type": "livestream", "team": "pmm", "owner": "marketer", "at": "warmup", "decided": 60,
     "decision": {"priority": "P0", "important": True, "heavyweight": True},
     "scores": SCORES_HIGH, "done": ["daily_actions", "daily_report"],
     "organiser": "数研科技 DataSense", "source_channel": "other", "online": True, "start": 4,
     "expected_attendees": 3000, "registration_target": 2400, "pace": 105,
     "budget": "12000", "costs": _COSTS_LIVE},
    {"key": "xian-salon", "name": "西安开发者沙龙 Xi'an Dev Salon", "type": "salon",
     "team": "pmm", "owner": "marketer", "at": "warmup", "decided": 50,
     "decision": {"priority": "P2", "our_role": "host"}, "scores": SCORES_MID,
     "done": ["daily_actions"], "organiser": "数研科技 DataSense", "source_channel": "other",
     "city": "西安", "region_tier": "tier2", "start": 6, "expected_attendees": 80,
     "registration_target": 120, "pace": 55, "budget": "9000", "costs": _COSTS_SALON},
    # --- on site today (O9) ----------------------------------------------------------------
    {"key": "analytics-live", "name": "埋点治理实战直播 Tracking Plan Clinic Live",
     "type": "livestream", "team": "pmm", "owner": "marketer", "at": "onsite", "decided": 45,
     "decision": {"priority": "P3"}, "scores": SCORES_MID, "done": ["rehearsal", "pre_meeting"],
     "organiser": "数研科技 DataSense", "source_channel": "other", "online": True, "start": 0,
     "expected_attendees": 800, "registration_target": 600, "pace": 98, "budget": "5000",
     "costs": _COSTS_LIVE},
    # --- past: the retrospective opens at N+X (O10) ---------------------------------------
    {"key": "bigdata-expo", "name": "大数据产业博览会 Big Data Industry Expo", "type": "exhibition",
     "team": "pmm", "owner": "marketer", "at": "onsite", "decided": 120,
     "decision": {"priority": "P0", "free": False, "heavyweight": True, "important": True,
                  "our_role": "sponsor"},
     "scores": SCORES_HIGH, "organiser": "国家大数据产业联盟(虚构)",
     "source_channel": "official_account", "city": "贵阳", "region_tier": "tier2",
     "start": -3, "days": 3, "expected_attendees": 15000, "price": "80000",
     "budget": "150000", "costs": _COSTS_BIG, "attendance": 12800,
     "registration_target": 900, "pace": 100},
    {"key": "mobile-summit", "name": "全球移动开发者峰会 Global Mobile Dev Summit",
     "type": "summit", "team": "pmm", "owner": "marketer", "at": "onsite", "decided": 90,
     "decision": {"priority": "P1", "important": True, "our_role": "speak"},
     "scores": SCORES_HIGH, "organiser": "移动开发者联盟(虚构)", "source_channel": "event_platform",
     "city": "北京", "region_tier": "tier1", "start": -9, "days": 2,
     "expected_attendees": 2000, "budget": "30000",
     "costs": [("travel", "差旅 Travel", "9000", "8600"),
               ("materials", "演讲物料 Talk materials", "3000", "2700")],
     "attendance": 1750, "leads": 4},
    {"key": "martech-summit", "name": "营销技术峰会 MarTech Summit", "type": "summit",
     "team": "pmm", "owner": "marketer", "at": "retrospective", "decided": 100,
     "decision": {"priority": "P1", "free": False, "our_role": "sponsor"},
     "scores": SCORES_HIGH, "done": ["effect", "budget", "leads"],
     "organiser": "营销科技联盟(虚构)", "source_channel": "media", "city": "上海",
     "region_tier": "tier1", "start": -30, "days": 2, "expected_attendees": 1800,
     "price": "30000", "budget": "45000",
     "costs": [("fee", "赞助费 Sponsorship", "30000", "30000"),
               ("booth", "桌卡展位 Table booth", "6000", "6600"),
               ("travel", "差旅 Travel", "5000", "4300")],
     "attendance": 1600, "leads": 6, "retro": RETRO_TEXT},
    # --- archived, with lessons -------------------------------------------------------------
    {"key": "ai-expo", "name": "世界数据智能大会 World Data Intelligence Expo",
     "type": "exhibition", "team": "pmm", "owner": "marketer", "at": "archived",
     "decided": 250, "decision": {"priority": "P0", "free": False, "heavyweight": True,
                                  "important": True, "our_role": "sponsor",
                                  "needs_business_support": True},
     "scores": SCORES_HIGH, "organiser": "国家数据产业联盟(虚构)",
     "source_channel": "official_account", "city": "上海", "region_tier": "tier1",
     "venue": "世博中心 Expo Centre", "start": -150, "days": 3,
     "expected_attendees": 30000, "price": "90000", "budget": "160000", "costs": _COSTS_BIG,
     "attendance": 26500, "registration_target": 1500, "pace": 112, "leads": 6,
     "retro": RETRO_TEXT},
    _salon("salon-sh", "上海开发者沙龙 · 春 Shanghai Dev Salon (spring)", "上海", -240,
           at="archived", series="salon-series", decided=290,
           decision={"priority": "P2", "our_role": "host"}, scores=SCORES_MID,
           budget="7000", costs=_COSTS_SALON, attendance=76, registration_target=100,
           pace=103, leads=3,
           retro={**RETRO_TEXT, "strengths": "实操环节满意度 4.7/5,社群新增 150 人。"}),
    _salon("salon-sz", "深圳开发者沙龙 · 秋 Shenzhen Dev Salon (autumn)", "深圳", -70,
           at="archived", series="salon-series", decided=120,
           decision={"priority": "P3", "our_role": "host"}, scores=SCORES_MID,
           budget="7000", costs=_COSTS_SALON, attendance=58, registration_target=100,
           pace=70, leads=2,
           retro={**RETRO_TEXT, "weaknesses": "与竞品发布会撞期,报名低于曲线。"}),
]

LEADS = _LEADS

WEBHOOK = {"team": "pmm", "name": "产品市场飞书群 PMM Feishu group", "vendor": "feishu",
           "url": "http://127.0.0.1:8765/feishu/product-marketing"}

DEMO_NOTE = "演示数据,主办方与数字为虚构。Demo data: organisers and figures are fictional."

PLAN = """**目标 Goal**:获取 SDK 试用线索,提升开发者品牌认知。
**时间与形式 Time and format**:符合本季度阶段计划(开发者增长)。
**资源 Resources**:预算见成本明细;市场 2 人、销售 1 人、研发讲师 1 人。
**预期效果 Expected effect**:报名达成目标,现场转化 10% 为试用线索;路径:宣发 → 报名 → 签到 → 演示 → 试用。"""

EXECUTION = {
    "cross_team_nodes": "研发:演示环境冻结(提前 3 天);销售:线索当日分配。",
    "publicity_rhythm": "T-14 公众号首发;T-7 社群二轮;T-3 短信提醒;T-1 直播/活动预告。",
    "materials": "易拉宝 2、宣传册 300、演示机 2 台、签到二维码。",
    "registration_path": "公众号文章 → 活动行报名 → 企业微信社群 → 签到 → 试用申请表。",
}

# (task, days before the start, priority, cross-team partner)
TASKS = [
    ("确定议程与讲师 Agenda and speakers", 20, "P0", ""),
    ("宣发物料设计 Publicity design", 15, "P1", "品牌设计部 Brand design"),
    ("演示环境准备 Demo environment", 5, "P1", "研发部 R&D"),
    ("线索分配规则 Lead routing", 2, "P2", "销售部 Sales"),
]

KEY_NODES = [
    ("签到开放 Check-in opens", 9, "前台 2 人 Two at the desk"),
    ("主题演讲 Keynote", 10, "讲师彩排已完成 Speaker rehearsed"),
    ("SDK 实操 Hands-on", 14, "备用演示机 Spare demo phones"),
]

FALLBACK = "网络故障:切换 4G 热点;讲师缺席:录播视频替代。Network down: 4G hotspot; speaker absent: recorded talk."
