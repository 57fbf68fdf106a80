"""The demo company's records, written out by hand so every run loads the same data.

数研科技 DataSense is a fictional Chinese SDK and data-intelligence vendor (in the spirit
of seed 003): Product Marketing and Events & Content work in Shanghai, Global Marketing
in Berlin writes in English. Texts are Chinese first, with English where a bilingual team
would write it. Every competitor is fictional (websites under example.com); figures
attributed to public sources are illustrative and say so.

Dates are offsets from the load day (``ago`` = days before it; ``year`` = offset from
its year), so the demo always looks current while a given day always gives the same data.
References between records use the ``key`` strings below; the generator resolves them.
"""

PASSWORD = "marketdesk-demo"
EMAIL_DOMAIN = "datasense.example.com"

COMPANY = "数研科技 DataSense"

TEAMS = [
    {"key": "pmm", "name": "Product Marketing 产品市场", "slug": "product-marketing",
     "time_zone": "Asia/Shanghai"},
    {"key": "events", "name": "Events & Content 活动与内容", "slug": "events-content",
     "time_zone": "Asia/Shanghai"},
    {"key": "global", "name": "Global Marketing", "slug": "global-marketing",
     "time_zone": "Europe/Berlin"},
]

# The first user is created by nobody (the system); the admin then creates the rest.
USERS = [
    {"username": "admin", "role": "admin", "teams": [], "first_name": "Admin",
     "last_name": "系统管理员", "language": ""},
    {"username": "director", "role": "director", "teams": [], "first_name": "敏",
     "last_name": "王", "language": "zh-hans"},
    {"username": "leader", "role": "team_leader", "teams": ["pmm"], "first_name": "娜",
     "last_name": "李", "language": "zh-hans"},
    {"username": "marketer", "role": "marketer", "teams": ["pmm"], "first_name": "晨",
     "last_name": "陈", "language": "zh-hans"},
    {"username": "reviewer", "role": "reviewer", "teams": ["pmm"], "first_name": "磊",
     "last_name": "赵", "language": "zh-hans"},
    {"username": "sales", "role": "sales", "teams": ["pmm"], "first_name": "洋",
     "last_name": "刘", "language": "zh-hans"},
    {"username": "events", "role": "marketer", "teams": ["events"], "first_name": "婷",
     "last_name": "周", "language": "zh-hans"},
    {"username": "global", "role": "marketer", "teams": ["global"], "first_name": "Anna",
     "last_name": "Becker", "language": "en"},
]

DEMO_FIGURES = "演示数据,数字为虚构。Demo data: the figures are illustrative."

# --- S1 products, features and vision --------------------------------------------------

PRODUCTS = [
    {
        "key": "sdk",
        "name": "数研 App 分析 SDK / App Analytics SDK",
        "tagline": "一行代码看清用户路径 · See every user journey with one line of code",
        "description": (
            "面向移动应用团队的轻量分析 SDK:自动采集事件、漏斗与留存分析、隐私合规模式。\n\n"
            "A lightweight analytics SDK for mobile teams: auto-captured events, funnels, "
            "retention and a privacy-compliance mode."
        ),
        "brand_voice_words": ["看清", "可信", "轻量", "clear", "trusted", "lightweight"],
        "features": [
            {"name": "自动埋点 Auto-capture", "status": "ga",
             "activation_event": "sdk_autocapture_enabled",
             "description": "无需手写代码,自动采集页面浏览、点击与应用启动事件。"},
            {"name": "漏斗分析 Funnels", "status": "ga",
             "activation_event": "funnel_report_viewed",
             "description": "任意事件组合成漏斗,按渠道、版本、地区拆分转化。"},
            {"name": "留存分析 Retention", "status": "ga",
             "activation_event": "retention_report_viewed",
             "description": "次日、7 日、30 日留存,按首次行为分组对比。"},
            {"name": "隐私合规模式 Privacy mode", "status": "beta",
             "activation_event": "privacy_mode_enabled",
             "description": "用户授权前不采集任何个人信息,满足《个人信息保护法》要求。"},
            {"name": "实时看板 Live board", "status": "planned",
             "activation_event": "live_board_opened",
             "description": "秒级刷新的大屏看板,用于发布会和大促值守。"},
        ],
        "vision": {
            "target_users": (
                "- **用户**:中国的移动应用研发与产品团队(Android / iOS / 小程序开发者、增长产品经理)\n"
                "- **购买者**:市场总监与增长负责人,他们需要可信的用户路径数据来分配预算"
            ),
            "problems_solved": (
                "1. 手工埋点每个版本消耗 3–5 人日,口径常与产品不一致\n"
                "2. 看不清用户从安装到付费的完整路径,渠道投放无法评估\n"
                "3. 隐私合规要求趋严,担心采集方式踩线"
            ),
            "success_measures": (
                "- 功能采用率:自动埋点在活跃客户中的采用率 ≥ 70%\n"
                "- 新增经常性收入(NRR 新增部分)按季度增长 15%\n"
                "- 目标市场渗透率:全国 App 开发商中的客户占比"
            ),
            "success_kpis": ["feature_adoption_rate", "new_recurring_revenue", "market_penetration"],
        },
    },
    {
        "key": "cdp",
        "name": "数研 用户画像平台 / Customer Data Platform",
        "tagline": "一人一档,实时可信 · One trusted, real-time view of every customer",
        "description": (
            "把 App、小程序、官网与 CRM 中的数据打通为一人一档,按标签圈选人群并推送到投放渠道。\n\n"
            "Unifies app, mini-program, web and CRM data into a single customer view and "
            "pushes audiences to ad and messaging channels."
        ),
        "brand_voice_words": ["一人一档", "可信", "实时", "single view", "trusted", "real-time"],
        "features": [
            {"name": "身份打通 Identity resolution", "status": "ga",
             "activation_event": "identity_merge_run",
             "description": "手机号、OpenID、设备号自动合并为同一个人。"},
            {"name": "标签工厂 Tag factory", "status": "ga", "activation_event": "tag_created",
             "description": "规则标签与模型标签,每日自动更新。"},
            {"name": "人群圈选 Audience builder", "status": "ga",
             "activation_event": "audience_exported",
             "description": "拖拽组合标签圈选人群,一键同步到广告与短信渠道。"},
            {"name": "数据接入 Connectors", "status": "ga", "activation_event": "connector_synced",
             "description": "预置电商、小程序、企业微信与主流 CRM 连接器。"},
        ],
        "vision": {
            "target_users": (
                "- **用户**:零售、电商与连锁品牌的数据运营和用户运营团队\n"
                "- **购买者**:首席增长官、市场总监或数据负责人"
            ),
            "problems_solved": (
                "1. 同一客户在多个系统里是多个 ID,无法形成完整画像\n"
                "2. 投放人群靠经验圈选,获客成本居高不下\n"
                "3. 数据团队排期长,运营等不到想要的人群包"
            ),
            "success_measures": (
                "- 身份打通功能采用率 ≥ 80%\n"
                "- 客户上线周期(签约到首个人群包)不超过 6 周\n"
                "- 新增经常性收入与零售品牌市场渗透率"
            ),
            "success_kpis": ["feature_adoption_rate", "new_recurring_revenue", "market_penetration"],
        },
    },
    {
        "key": "cloud",
        "name": "数研 营销云 / Marketing Cloud",
        "tagline": "一站式自动化营销,看得见的增长 · All-in-one automated marketing, growth you can see",
        "description": (
            "面向中型企业市场部的一站式营销自动化:旅程编排、多渠道触达、A/B 测试与归因。\n\n"
            "All-in-one marketing automation for mid-size marketing teams: journeys, "
            "omnichannel messaging, A/B testing and attribution."
        ),
        "brand_voice_words": ["一站式", "自动化", "看得见的增长", "all-in-one", "automated",
                              "growth you can see"],
        "features": [
            {"name": "营销旅程 Journeys", "status": "ga", "activation_event": "journey_published",
             "description": "可视化编排线索培育旅程,按行为自动分支。"},
            {"name": "多渠道触达 Omnichannel", "status": "ga",
             "activation_event": "message_campaign_sent",
             "description": "短信、邮件、企业微信与公众号模板消息统一发送。"},
            {"name": "A/B 测试 A/B testing", "status": "ga", "activation_event": "ab_test_started",
             "description": "标题、内容与发送时间的对照实验,自动选出优胜版本。"},
            {"name": "营销归因 Attribution", "status": "beta",
             "activation_event": "attribution_report_viewed",
             "description": "首触、末触、线性、U 型等多触点归因模型。"},
        ],
        "vision": {
            "target_users": (
                "- **用户**:中型 B2B 企业的市场专员与活动运营\n"
                "- **购买者**:市场总监,对线索数量、转化率和 ROI 负责"
            ),
            "problems_solved": (
                "1. 活动线索靠手工群发跟进,大量线索沉睡\n"
                "2. 工具分散在 5 个以上系统,数据无法汇总\n"
                "3. 说不清每个渠道和活动带来了多少收入"
            ),
            "success_measures": (
                "- 营销旅程功能采用率 ≥ 60%\n"
                "- 客户线索→商机转化率提升 25%\n"
                "- 新增经常性收入与中型企业市场渗透率"
            ),
            "success_kpis": ["feature_adoption_rate", "new_recurring_revenue", "roi"],
        },
    },
]

# --- S2 research notes and market sizes ---------------------------------------------------

RESEARCH_NOTES = [
    # Product Marketing: primary research
    {"key": "dev_interviews", "team": "pmm", "by": "marketer", "product": "sdk",
     "kind": "primary", "method": "interview", "ago": 38,
     "title": "开发者访谈:手工埋点的真实成本 Developer interviews: the real cost of manual tracking",
     "source": "12 位 App 研发负责人一对一访谈 (12 engineering leads, one to one)",
     "source_url": "",
     "body": (
         "- 平均每个版本花 **3.5 人日** 补埋点,10/12 表示埋点口径与产品经理不一致\n"
         "- 选型最看重:接入轻量(包体不超过 300KB)、隐私合规、文档清晰\n"
         "- 两位受访者正在评估观数科技,主要顾虑是价格"
     )},
    {"key": "cmo_survey", "team": "pmm", "by": "marketer", "product": "cloud",
     "kind": "primary", "method": "survey", "ago": 75,
     "title": "市场总监问卷:归因与预算 CMO survey: attribution and budgets",
     "source": "数研客户大会现场问卷 (n=186)", "source_url": "",
     "body": (
         "- 64% 的市场总监无法说清每个渠道带来的收入\n"
         "- 52% 计划在明年把工具从 5 个以上合并到 2–3 个\n"
         "- 归因报表是采购营销云时排名第二的需求,仅次于自动化旅程"
     )},
    {"key": "cdp_cs", "team": "pmm", "by": "marketer", "product": "cdp",
     "kind": "primary", "method": "interview", "ago": 52,
     "title": "客户成功访谈:CDP 上线周期 Customer-success interviews: CDP time to value",
     "source": "客户成功团队,8 家零售与电商客户", "source_url": "",
     "body": (
         "- 签约到首个人群包平均 **6 周**,最快 3 周(预置电商连接器)\n"
         "- 身份打通准确率是续约时客户最常提到的价值\n"
         "- 缺少电商平台官方数据合作,两家客户因此延迟扩容"
     )},
    {"key": "trial_q", "team": "pmm", "by": "marketer", "product": "cloud",
     "kind": "primary", "method": "questionnaire", "ago": 21,
     "title": "营销云试用用户问卷 Marketing Cloud trial questionnaire",
     "source": "试用第 14 天问卷 (n=243)", "source_url": "",
     "body": (
         "- 71% 的试用团队在 14 天内上线了第一个自动化旅程\n"
         "- 最常见的放弃原因:归因报表仍是 Beta,数据不够完整\n"
         "- 市场专员最喜欢的功能:A/B 测试自动选出优胜版本"
     )},
    {"key": "sales_talk", "team": "pmm", "by": "leader", "product": None,
     "kind": "primary", "method": "conversation", "ago": 9,
     "title": "销售例会:价格异议记录 Sales meeting: price objections",
     "source": "华东、华南销售周会纪要", "source_url": "",
     "body": (
         "- 观数降价后,3 个在谈项目要求我们跟进降价\n"
         "- 私有化部署的交付周期(8–10 周)是中型客户的主要顾虑\n"
         "- 建议:用年付返点代替直接降价,守住成长版价格底线"
     )},
    # Product Marketing: secondary research
    {"key": "iresearch", "team": "pmm", "by": "marketer", "product": "sdk",
     "kind": "secondary", "method": "report", "ago": 120,
     "title": "中国移动应用数据分析行业研究 China mobile app analytics market study",
     "source": "艾瑞咨询 iResearch", "source_url": "https://www.iresearch.com.cn/",
     "body": (
         "- 移动应用数据分析市场年增速约 18%,中长尾开发者是增量主力\n"
         "- 手游工作室集中在华东与华南\n\n" + DEMO_FIGURES
     )},
    {"key": "idc", "team": "pmm", "by": "marketer", "product": "cloud",
     "kind": "secondary", "method": "report", "ago": 95,
     "title": "中国营销技术市场跟踪 China MarTech market tracker",
     "source": "IDC 中国 IDC China", "source_url": "https://www.idc.com/",
     "body": (
         "- 中型企业营销自动化渗透率不足 15%,是未来三年增长最快的细分市场\n"
         "- 客户偏好一站式平台,单点工具份额下降\n\n" + DEMO_FIGURES
     )},
    {"key": "miit", "team": "pmm", "by": "marketer", "product": "sdk",
     "kind": "secondary", "method": "government", "ago": 60,
     "title": "移动互联网应用(App)统计 Mobile app statistics",
     "source": "工业和信息化部 MIIT", "source_url": "https://www.miit.gov.cn/",
     "body": "- 在架 App 数量稳定,开发者主体持续向中小企业扩散\n\n" + DEMO_FIGURES},
    {"key": "stats", "team": "pmm", "by": "marketer", "product": "cdp",
     "kind": "secondary", "method": "government", "ago": 150,
     "title": "企业数字化投入统计 Enterprise digitalisation statistics",
     "source": "国家统计局 National Bureau of Statistics", "source_url": "https://www.stats.gov.cn/",
     "body": "- 零售与批发企业的数字化投入连续三年增长\n\n" + DEMO_FIGURES},
    {"key": "caict", "team": "pmm", "by": "marketer", "product": None,
     "kind": "secondary", "method": "report", "ago": 200,
     "title": "个人信息保护合规指引 Personal-information protection guidance",
     "source": "中国信息通信研究院 CAICT", "source_url": "https://www.caict.ac.cn/",
     "body": "- App 收集个人信息须“告知—同意”在先,SDK 提供方承担连带责任\n\n" + DEMO_FIGURES},
    {"key": "media", "team": "pmm", "by": "marketer", "product": None,
     "kind": "secondary", "method": "publication", "ago": 33,
     "title": "媒体观察:营销 SaaS 进入整合期 Media: MarTech SaaS consolidates",
     "source": "36氪 36Kr", "source_url": "https://36kr.com/",
     "body": "- 融资向头部集中,客户采购从单点工具转向一站式平台\n\n" + DEMO_FIGURES},
    # Events & Content
    {"key": "conf_survey", "team": "events", "by": "events", "product": None,
     "kind": "primary", "method": "questionnaire", "ago": 45,
     "title": "开发者大会现场问卷 Developer conference on-site questionnaire",
     "source": "数研开发者大会签到问卷 (n=412)", "source_url": "",
     "body": (
         "- 58% 的参会者来自华东,41% 为研发负责人或架构师\n"
         "- 最想听的主题:隐私合规(63%)、埋点治理(49%)\n"
         "- 29% 愿意在会后一周内预约产品演示"
     )},
    # Global Marketing (English)
    {"key": "eurostat", "team": "global", "by": "global", "product": None,
     "kind": "secondary", "method": "government", "ago": 80,
     "title": "Eurostat: data analytics in EU enterprises",
     "source": "Eurostat", "source_url": "https://ec.europa.eu/eurostat",
     "body": "- About a third of EU enterprises analyse data in-house; app studios lead.\n\n"
             + DEMO_FIGURES},
    {"key": "studios", "team": "global", "by": "global", "product": None,
     "kind": "primary", "method": "interview", "ago": 28,
     "title": "Interviews with eight mobile game studios in Berlin and Warsaw",
     "source": "Global Marketing field interviews", "source_url": "",
     "body": (
         "- EU data residency is a must-have for 7 of 8 studios\n"
         "- Pixelwise is the default shortlist choice; price is its weak point\n"
         "- Studios want retention cohorts by acquisition campaign"
     )},
    {"key": "edpb", "team": "global", "by": "global", "product": None,
     "kind": "secondary", "method": "government", "ago": 140,
     "title": "EDPB guidance on international data transfers",
     "source": "European Data Protection Board", "source_url": "https://www.edpb.europa.eu/",
     "body": "- Transfers outside the EU need a transfer assessment; EU hosting avoids it."},
]

# (product, segment, region, year offset, target customers, source note)
MARKET_SIZES = [
    ("sdk", "移动应用开发商 App developers", "全国 Nationwide", 0, 48000, "miit"),
    ("sdk", "移动应用开发商 App developers", "全国 Nationwide", -1, 45500, "miit"),
    ("sdk", "手游工作室 Mobile game studios", "华东 East China", 0, 6200, "iresearch"),
    ("sdk", "手游工作室 Mobile game studios", "华南 South China", 0, 4800, "iresearch"),
    ("cdp", "零售与电商品牌 Retail & e-commerce brands", "全国 Nationwide", 0, 9300, "stats"),
    ("cdp", "零售与电商品牌 Retail & e-commerce brands", "全国 Nationwide", -1, 8700, "stats"),
    ("cdp", "连锁餐饮 Restaurant chains", "华南 South China", 0, 1500, "cdp_cs"),
    ("cloud", "中型企业市场部 Mid-size B2B marketing teams", "全国 Nationwide", 0, 21000, "idc"),
    ("cloud", "中型企业市场部 Mid-size B2B marketing teams", "华北 North China", 0, 5600, "idc"),
    ("cloud", "SaaS 初创公司 SaaS start-ups", "全国 Nationwide", 0, 3800, "cmo_survey"),
]

# --- S3 competitors (all fictional), their products and moves -------------------------------

COMPETITORS = [
    {
        "key": "insightpulse", "team": "pmm", "by": "marketer",
        "name": "观数科技 InsightPulse", "product_overlap": "same", "same_audience": True,
        "competes_with": ["sdk", "cdp"], "website": "https://insightpulse.example.com",
        "summary": "国内头部移动分析厂商,产品线覆盖分析 SDK 与用户画像,主攻大型互联网客户。",
        "strengths": "- 品牌知名度高,开发者社区活跃\n- 私有化部署案例多",
        "weaknesses": "- 私有化价格高,中型客户难以承受\n- 交付依赖原厂实施团队",
        "web_signals": "- 公众号月均 8 篇技术文章,阅读量稳定\n- 招聘页新增 20 个销售岗位",
        "offerings": [
            {"name": "InsightPulse 分析云 Analytics Cloud", "pricing_model": "subscription",
             "list_price": "98000.00", "currency": "CNY",
             "price_note": "按事件量计费,每月千万事件起 (from 10M events a month)",
             "description": "SaaS 版分析平台。"},
            {"name": "InsightPulse 私有化部署 On-premise", "pricing_model": "one_off",
             "list_price": "680000.00", "currency": "CNY",
             "price_note": "含首年维保 (first-year maintenance included)",
             "description": "部署在客户机房的完整版本。"},
        ],
        "moves": [
            {"key": "ip_price", "ago": 14, "kind": "pricing",
             "title": "分析云标准版降价 20% Standard plan cut by 20%",
             "details": "官网标价由 12.25 万元/年降至 9.8 万元/年,销售反馈已出现在 3 个在谈项目中。",
             "source_url": "https://insightpulse.example.com/pricing"},
            {"key": "ip_privacy", "ago": 96, "kind": "launch",
             "title": "发布隐私合规 SDK 3.0 Privacy SDK 3.0 launched",
             "details": "新增授权前零采集模式,直接对标我们的隐私合规模式。",
             "source_url": "https://insightpulse.example.com/blog/sdk-3"},
            {"key": "ip_funding", "ago": 210, "kind": "funding",
             "title": "完成 C 轮融资 Series C closed",
             "details": "融资用于扩张华东、华南销售团队。", "source_url": ""},
            {"key": "ip_summit", "ago": 300, "kind": "campaign",
             "title": "赞助移动开发者大会 Sponsored a mobile developer summit",
             "details": "钻石赞助,主论坛演讲 30 分钟。", "source_url": ""},
        ],
    },
    {
        "key": "quanta", "team": "pmm", "by": "marketer",
        "name": "量子画像 QuantaProfile", "product_overlap": "similar", "same_audience": True,
        "competes_with": ["cdp"], "website": "https://quantaprofile.example.com",
        "summary": "专注零售行业的用户画像厂商,与我们争夺同一批品牌市场团队。",
        "strengths": "- 零售行业模板丰富\n- 与电商平台有数据合作",
        "weaknesses": "- 身份打通依赖手机号,跨端准确率低\n- 不支持私有化",
        "web_signals": "- 小红书与视频号投放增加\n- 官网案例页每月更新",
        "offerings": [
            {"name": "QuantaProfile CDP 标准版 Standard", "pricing_model": "per_seat",
             "list_price": "1200.00", "currency": "CNY",
             "price_note": "每席位每月 (per seat per month)", "description": ""},
        ],
        "moves": [
            {"key": "qp_partner", "ago": 45, "kind": "partnership",
             "title": "与头部电商平台数据打通 Data partnership with a major marketplace",
             "details": "品牌可直接回流平台订单数据到画像。", "source_url": ""},
            {"key": "qp_people", "ago": 170, "kind": "people",
             "title": "前友商副总裁加盟任 CRO Former rival VP joins as CRO",
             "details": "", "source_url": ""},
            {"key": "qp_ai", "ago": 320, "kind": "launch",
             "title": "推出 AI 人群预测 AI audience prediction launched",
             "details": "基于购买行为预测下单概率。", "source_url": ""},
        ],
    },
    {
        "key": "bluewhale", "team": "pmm", "by": "marketer",
        "name": "蓝鲸营销云 BlueWhale Cloud", "product_overlap": "same", "same_audience": False,
        "competes_with": ["cloud"], "website": "https://bluewhale.example.com",
        "summary": "营销自动化厂商,主攻大型消费品牌,近期用免费版向中小企业下沉。",
        "strengths": "- 渠道覆盖全,企业微信 SCRM 成熟\n- 大客户案例多",
        "weaknesses": "- 实施周期长,中型企业上手难\n- 归因能力弱",
        "web_signals": "- 免费版注册量在应用市场排名上升\n- 双十一峰会直播观看 12 万",
        "offerings": [
            {"name": "BlueWhale 自动化营销 Automation Suite", "pricing_model": "subscription",
             "list_price": "150000.00", "currency": "CNY",
             "price_note": "年费,含 5 个渠道 (yearly, five channels)", "description": ""},
            {"name": "BlueWhale 企业微信 SCRM", "pricing_model": "freemium", "list_price": None,
             "currency": "CNY", "price_note": "免费版限 3 个席位 (free for three seats)",
             "description": ""},
        ],
        "moves": [
            {"key": "bw_summit", "ago": 27, "kind": "campaign",
             "title": "双十一营销峰会 Singles' Day marketing summit",
             "details": "线上线下同步,主打私域运营。", "source_url": ""},
            {"key": "bw_free", "ago": 130, "kind": "pricing",
             "title": "推出免费版 Free tier introduced",
             "details": "3 席位以内免费,明显瞄准中小企业市场部。", "source_url": ""},
            {"key": "bw_crm", "ago": 260, "kind": "partnership",
             "title": "与主流 CRM 达成集成 CRM integration partnership",
             "details": "", "source_url": ""},
        ],
    },
    {
        "key": "cloudsheet", "team": "pmm", "by": "marketer",
        "name": "云表 BI CloudSheet BI", "product_overlap": "similar", "same_audience": False,
        "competes_with": ["sdk"], "website": "https://cloudsheet.example.com",
        "summary": "自助式 BI 工具,面向企业财务与经营分析人员,可接入埋点数据做报表。",
        "strengths": "- 报表灵活,财务人员熟悉", "weaknesses": "- 不采集数据,依赖第三方埋点",
        "web_signals": "- 财务数字化话题的 SEO 排名靠前",
        "offerings": [
            {"name": "CloudSheet 自助分析 Self-service BI", "pricing_model": "per_seat",
             "list_price": "600.00", "currency": "CNY",
             "price_note": "每用户每月 (per user per month)", "description": ""},
        ],
        "moves": [
            {"key": "cs_templates", "ago": 60, "kind": "launch",
             "title": "发布埋点数据报表模板 Tracking-data report templates released",
             "details": "可直接读取主流分析 SDK 的导出数据。", "source_url": ""},
            {"key": "cs_roadshow", "ago": 240, "kind": "campaign",
             "title": "财务数字化巡回沙龙 Finance digitalisation roadshow",
             "details": "", "source_url": ""},
        ],
    },
    {
        "key": "keju", "team": "pmm", "by": "marketer",
        "name": "客聚 CRM KeJu CRM", "product_overlap": "similar", "same_audience": False,
        "competes_with": ["cloud"], "website": "https://keju.example.com",
        "summary": "面向销售团队的 CRM,内置基础邮件营销,买家是销售负责人而非市场部。",
        "strengths": "- 销售团队覆盖广", "weaknesses": "- 营销功能只有群发,没有旅程与归因",
        "web_signals": "- 应用市场评分 4.6",
        "offerings": [
            {"name": "KeJu CRM 专业版 Professional", "pricing_model": "per_seat",
             "list_price": "300.00", "currency": "CNY",
             "price_note": "每用户每月,含营销模块 (per user per month)", "description": ""},
        ],
        "moves": [
            {"key": "kj_email", "ago": 88, "kind": "launch",
             "title": "CRM 内置邮件营销 Email marketing built into the CRM",
             "details": "", "source_url": ""},
            {"key": "kj_funding", "ago": 190, "kind": "funding",
             "title": "获得战略投资 Strategic investment", "details": "", "source_url": ""},
        ],
    },
    {
        "key": "pushnow", "team": "pmm", "by": "marketer",
        "name": "推必达 PushNow", "product_overlap": "extends", "same_audience": False,
        "competes_with": ["sdk", "cloud"], "website": "https://pushnow.example.com",
        "summary": "消息推送服务商,其推送 SDK 常与分析 SDK 一同集成,扩展我们的触达能力。",
        "strengths": "- 推送到达率高", "weaknesses": "- 没有分析与归因",
        "web_signals": "- 开发者文档站流量上升",
        "offerings": [
            {"name": "PushNow 推送 Push service", "pricing_model": "usage",
             "list_price": "20.00", "currency": "CNY",
             "price_note": "每百万条推送 (per million pushes)", "description": ""},
        ],
        "moves": [
            {"key": "push_bundle", "ago": 40, "kind": "partnership",
             "title": "与竞品分析 SDK 捆绑预装 Bundled with a rival analytics SDK",
             "details": "与观数科技联合推出“分析+推送”套餐。", "source_url": ""},
            {"key": "push_segments", "ago": 150, "kind": "launch",
             "title": "推出分群推送 Segment-based push launched", "details": "", "source_url": ""},
        ],
    },
    {
        "key": "abcube", "team": "pmm", "by": "marketer",
        "name": "实验魔方 ABCube", "product_overlap": "extends", "same_audience": False,
        "competes_with": ["sdk"], "website": "https://abcube.example.com",
        "summary": "A/B 实验平台,读取分析 SDK 的事件做实验评估,是我们产品的延伸工具。",
        "strengths": "- 统计引擎专业", "weaknesses": "- 依赖第三方埋点数据",
        "web_signals": "- 技术博客在开发者社区转发多",
        "offerings": [
            {"name": "ABCube 实验平台 Experiment platform", "pricing_model": "subscription",
             "list_price": "36000.00", "currency": "CNY", "price_note": "年费 (yearly)",
             "description": ""},
        ],
        "moves": [
            {"key": "ab_visual", "ago": 70, "kind": "launch",
             "title": "上线 App 端可视化实验 Visual in-app experiments",
             "details": "", "source_url": ""},
            {"key": "ab_sales", "ago": 280, "kind": "people",
             "title": "组建华南销售团队 South China sales team formed",
             "details": "", "source_url": ""},
        ],
    },
    {
        "key": "pixelwise", "team": "global", "by": "global",
        "name": "Pixelwise Analytics", "product_overlap": "same", "same_audience": True,
        "competes_with": [], "website": "https://pixelwise.example.com",
        "summary": "Berlin-based product analytics vendor; the default choice of European app "
                   "studios we meet.",
        "strengths": "- EU hosting and a strong privacy story\n- Generous free tier",
        "weaknesses": "- Expensive above 5M events a month\n- No Chinese-market presence",
        "web_signals": "- Active on developer podcasts; conference talks every quarter",
        "offerings": [
            {"name": "Pixelwise Growth", "pricing_model": "subscription",
             "list_price": "9000.00", "currency": "EUR",
             "price_note": "per year, up to 5M events a month", "description": ""},
        ],
        "moves": [
            {"key": "pw_free", "ago": 50, "kind": "pricing",
             "title": "Free tier raised to 1M events a month", "details": "", "source_url": ""},
            {"key": "pw_region", "ago": 190, "kind": "partnership",
             "title": "EU data residency through a Frankfurt cloud region",
             "details": "", "source_url": ""},
        ],
    },
]

# --- S4 SWOT: (subject kind, subject key, quadrant, text, evidence notes, evidence moves) ----

SWOT = [
    ("product", "sdk", "S", "接入轻量:三行配置完成自动埋点,是研发访谈中最受认可的一点",
     ["dev_interviews"], []),
    ("product", "sdk", "W", "私有化部署交付周期 8–10 周,长于观数科技",
     ["sales_talk"], []),
    ("product", "sdk", "O", "中长尾开发者持续增长,手游工作室集中在华东与华南",
     ["miit", "iresearch"], []),
    ("product", "sdk", "T", "观数科技分析云降价 20%,带来价格战压力",
     [], ["ip_price"]),
    ("product", "sdk", "T", "推送服务商与竞品 SDK 捆绑预装,抢占集成位置",
     [], ["push_bundle"]),
    ("product", "cdp", "S", "身份打通准确率高,客户平均 6 周上线首个人群包",
     ["cdp_cs"], []),
    ("product", "cdp", "W", "缺少电商平台官方数据合作,量子画像已率先打通",
     ["cdp_cs"], ["qp_partner"]),
    ("product", "cdp", "O", "零售与批发企业数字化投入连续三年增长",
     ["stats"], []),
    ("product", "cdp", "T", "个人信息保护要求趋严,跨端打通需更严格的授权",
     ["caict"], []),
    ("product", "cloud", "S", "自动化旅程让 71% 的试用团队在 14 天内上线首个活动",
     ["trial_q"], []),
    ("product", "cloud", "W", "归因报表仍是 Beta,是试用放弃的首要原因",
     ["trial_q", "cmo_survey"], []),
    ("product", "cloud", "O", "营销 SaaS 进入整合期,客户偏好一站式平台",
     ["media", "idc"], []),
    ("product", "cloud", "T", "蓝鲸营销云推出免费版,向中小企业市场部下沉",
     [], ["bw_free"]),
    ("competitor", "insightpulse", "S", "品牌知名度高,开发者大会上曝光充足",
     [], ["ip_summit"]),
    ("competitor", "insightpulse", "W", "私有化价格高,中型客户难以承受",
     ["sales_talk"], []),
    ("competitor", "insightpulse", "O", "C 轮融资后扩张华东、华南销售团队",
     [], ["ip_funding"]),
    ("competitor", "insightpulse", "T", "隐私合规 SDK 3.0 缩小了我们的合规优势",
     [], ["ip_privacy"]),
]

# --- S5 personas ---------------------------------------------------------------------------

PERSONAS = [
    {"product": "sdk", "kind": "buyer", "name": "张总 · 市场总监 Zhang, CMO",
     "age_min": 35, "age_max": 45, "gender": "any", "location": "上海 / 深圳 Shanghai / Shenzhen",
     "education": "master", "title": "市场总监 CMO", "income_level": "high",
     "goals": "- 用可信数据说明每个渠道的获客效果\n- 把增长预算投向留存最好的渠道",
     "challenges": "- 研发排期紧,埋点需求总被延后\n- 老板追问投放 ROI 时拿不出数",
     "personality_traits": "结果导向、重视数据口径一致,决策前会找同行打听口碑"},
    {"product": "sdk", "kind": "user", "name": "小林 · Android 开发 Lin, Android developer",
     "age_min": 24, "age_max": 32, "gender": "male", "location": "杭州 Hangzhou",
     "education": "bachelor", "title": "高级 Android 开发工程师 Senior Android developer",
     "income_level": "upper_middle",
     "goals": "- 少写埋点代码,专注业务功能\n- SDK 稳定、包体小、不拖慢启动",
     "challenges": "- 产品经理频繁改埋点口径\n- 隐私合规检测一不小心就被应用市场下架",
     "personality_traits": "务实、爱看文档和 GitHub 示例,讨厌冗长的销售电话"},
    {"product": "sdk", "kind": "user", "name": "小周 · 增长产品经理 Zhou, growth PM",
     "age_min": 26, "age_max": 35, "gender": "female", "location": "北京 Beijing",
     "education": "bachelor", "title": "增长产品经理 Growth product manager",
     "income_level": "upper_middle",
     "goals": "- 自己拉漏斗和留存,不再排队找数据团队\n- 每周复盘新功能的采用率",
     "challenges": "- 数据口径不一致,会上常被质疑\n- 缺少按渠道拆分的留存数据",
     "personality_traits": "好奇、行动快,喜欢可视化的自助工具"},
    {"product": "cdp", "kind": "buyer", "name": "陈总 · 增长负责人 Chen, head of growth",
     "age_min": 36, "age_max": 48, "gender": "any", "location": "广州 Guangzhou",
     "education": "master", "title": "首席增长官 Chief growth officer", "income_level": "high",
     "goals": "- 会员复购率提升\n- 获客成本可解释、可优化",
     "challenges": "- 数据分散在电商、小程序、门店与 CRM\n- 数据团队人手不够",
     "personality_traits": "战略型,看重案例与行业口碑,谨慎评估数据安全"},
    {"product": "cdp", "kind": "user", "name": "小吴 · 用户运营 Wu, CRM operations",
     "age_min": 25, "age_max": 33, "gender": "female", "location": "广州 Guangzhou",
     "education": "bachelor", "title": "用户运营专员 CRM operations specialist",
     "income_level": "middle",
     "goals": "- 自己圈人群、发活动,不用写 SQL\n- 活动后马上看到转化",
     "challenges": "- 人群包要等数据团队排期一周\n- 同一个会员在不同系统里对不上",
     "personality_traits": "细心、执行力强,喜欢有模板可套用"},
    {"product": "cloud", "kind": "buyer", "name": "王总监 · 市场总监 Wang, marketing director",
     "age_min": 33, "age_max": 45, "gender": "any", "location": "北京 / 天津 Beijing / Tianjin",
     "education": "bachelor", "title": "市场总监 Marketing director", "income_level": "high",
     "goals": "- 线索数量与质量同时达标\n- 向 CEO 说清每场活动的 ROI",
     "challenges": "- 工具分散,数据汇总靠表格\n- 团队小,活动后跟进常常断档",
     "personality_traits": "重视效率与可衡量结果,愿意为节省人力付费"},
    {"product": "cloud", "kind": "user", "name": "小赵 · 市场专员 Zhao, marketing specialist",
     "age_min": 23, "age_max": 30, "gender": "female", "location": "成都 Chengdu",
     "education": "college", "title": "市场专员 Marketing specialist", "income_level": "middle",
     "goals": "- 活动结束后自动跟进每一条线索\n- 少加班做群发",
     "challenges": "- 每周手工导出名单、发短信和邮件\n- 不知道哪个标题效果更好",
     "personality_traits": "学习快、乐于尝试新工具,喜欢看得见的效果"},
]

# --- S6 positioning: statements with their variants ------------------------------------------

POSITIONING = [
    {"product": "sdk", "is_primary": True,
     "audience": "中国的移动应用产品与增长团队 Mobile app product and growth teams in China",
     "problem": "手工埋点耗时、口径不一,看不清用户从安装到付费的路径",
     "benefit": "一周内看清用户路径,决策更快、更可信",
     "statement": ("数研 App 分析 SDK 帮助中国的移动应用团队在一周内看清每一位用户从安装到付费的"
                   "路径,让产品和市场决策更快、更可信,无需再花人力手工埋点。"),
     "variants": [
         {"channel": "官网 Website", "region": "", "audience": "",
          "text": "一行代码接入,一周看清用户路径:数研 App 分析 SDK 让增长决策更快、更可信。"},
         {"channel": "销售 PPT Sales deck", "region": "", "audience": "",
          "text": "帮助客户把埋点工作量降低 70%,一周内看清从安装到付费的完整路径。"},
         {"channel": "", "region": "", "audience": "开发者 Developers",
          "text": "轻量 SDK,无需手写埋点:三行配置就让产品团队看清用户行为,你专注写业务代码。"},
         {"channel": "", "region": "Europe", "audience": "",
          "text": ("A lightweight SDK that helps European app teams see a clear user journey "
                   "while keeping data in the EU, so you decide faster.")},
     ]},
    {"product": "sdk", "is_primary": False,
     "audience": "Mobile app teams outside China",
     "problem": "Manual tracking code takes weeks and still leaves the user journey unclear",
     "benefit": "A clear install-to-purchase journey in one week",
     "statement": ("DataSense App Analytics helps mobile teams see a clear path from install to "
                   "purchase in one week, so you decide faster with data you can trust, "
                   "without weeks of manual tracking code."),
     "variants": [
         {"channel": "LinkedIn", "region": "", "audience": "",
          "text": "Stop hand-writing tracking code: a lightweight SDK helps you see a clear "
                  "user journey in one week."},
     ]},
    {"product": "cdp", "is_primary": True,
     "audience": "零售与电商品牌的市场与用户运营团队 Brand marketing and CRM teams in retail",
     "problem": "客户数据分散在 App、小程序与 CRM,投放人群靠经验圈选",
     "benefit": "一人一档找准人群,获客成本降低三成",
     "statement": ("数研用户画像平台帮助品牌市场团队把分散在 App、小程序和 CRM 里的数据合成一人一档,"
                   "让每次投放都找准人群,获客成本降低三成。"),
     "variants": [
         {"channel": "微信公众号 WeChat", "region": "", "audience": "",
          "text": "一人一档,实时更新:帮你在投放前就知道谁最可能下单,降低获客成本。"},
         {"channel": "", "region": "华南 South China", "audience": "",
          "text": "为华南零售与电商品牌打造一人一档的客户视图,让会员复购提升 20%。"},
         {"channel": "", "region": "", "audience": "数据分析师 Data analysts",
          "text": "无需写 SQL 也能圈出可信人群,把时间花在洞察上,效率提升一倍。"},
         {"channel": "", "region": "Europe", "audience": "",
          "text": ("One trusted, real-time single view of every customer, so your campaigns "
                   "reach the right people and cost less to run.")},
     ]},
    {"product": "cdp", "is_primary": False,
     "audience": "Retail and e-commerce brands expanding abroad",
     "problem": "Customer data is scattered across apps, web shops and the CRM",
     "benefit": "A single view of every customer that cuts acquisition cost",
     "statement": ("DataSense CDP gives retail brands a trusted single view of every customer, "
                   "so you reach the right buyers and cut acquisition cost by a third."),
     "variants": [
         {"channel": "Trade fair", "region": "", "audience": "",
          "text": "A real-time single view of every shopper helps you win repeat purchases."},
     ]},
    {"product": "cloud", "is_primary": True,
     "audience": "中型 B2B 企业的市场团队 Marketing teams of mid-size B2B companies",
     "problem": "活动线索靠手工群发跟进,工具分散,说不清 ROI",
     "benefit": "同样的人手多做一倍活动,线索转化率提升 25%",
     "statement": ("数研营销云帮助中型企业市场团队用一站式自动化旅程替代手工群发,同样的人手多做一倍"
                   "活动,线索转化率提升 25%。"),
     "variants": [
         {"channel": "线下活动 Events", "region": "", "audience": "",
          "text": "现场扫码即入旅程:营销云自动化跟进每一条线索,会后三天内转化率提升 25%。"},
         {"channel": "", "region": "", "audience": "市场专员 Marketing specialists",
          "text": "告别加班群发:一站式设置一次旅程,自动化跟进替你完成,每周节省 10 小时。"},
         {"channel": "", "region": "华北 North China", "audience": "",
          "text": "服务华北制造与企服客户的一站式营销云:线索不再沉睡,销售跟进效率提升 40%。"},
     ]},
    {"product": "cloud", "is_primary": False,
     "audience": "Marketing teams of mid-size B2B companies outside China",
     "problem": "Leads go cold because follow-up is manual and tools are scattered",
     "benefit": "Twice the campaigns with the same team",
     "statement": ("DataSense Marketing Cloud is the all-in-one, automated way for mid-size "
                   "marketing teams to run twice the campaigns with the same people and grow "
                   "lead conversion by a quarter."),
     "variants": [
         {"channel": "Email", "region": "", "audience": "",
          "text": "Automated journeys follow up every lead for you: all-in-one, and you save "
                  "ten hours a week."},
     ]},
]

# --- S7 pricing --------------------------------------------------------------------------

PRICING = [
    {"product": "sdk", "approach": "competitive", "value_strategy": "", "currency": "CNY",
     "rationale": ("对标观数科技分析云标准版,成长版定价低约 10%;以年付返点回应降价,"
                   "而不是直接降低标价。"),
     "price_floor_note": "成长版折后不低于 3.5 万元/年 (Growth never below ¥35,000 a year)",
     "tiers": [
         {"name": "免费版 Free", "price": "0.00", "period": "year", "min_seats": 1,
          "max_seats": 3, "fits": "个人开发者与早期 App,月活 10 万以内",
          "included": "- 自动埋点\n- 漏斗与留存(保留 90 天)", "position": 0},
         {"name": "成长版 Growth", "price": "39800.00", "period": "year", "min_seats": 4,
          "max_seats": 20, "fits": "成长期 App 团队,需要按渠道拆分留存",
          "included": "- 免费版全部功能\n- 数据保留 2 年\n- 隐私合规模式", "position": 1},
         {"name": "企业版 Enterprise", "price": "128000.00", "period": "year",
          "min_seats": 21, "max_seats": None, "fits": "多 App 矩阵的大中型企业,需要私有化选项",
          "included": "- 成长版全部功能\n- 私有化部署选项\n- 专属客户成功经理", "position": 2},
     ],
     "discounts": [
         {"name": "年付预付返点 Annual prepay rebate", "kind": "rebate", "ratio_type": "fixed",
          "steps": [{"from": 0, "percent": 5}],
          "conditions": "一次性预付两年及以上 (two or more years paid up front)"},
     ]},
    {"product": "cdp", "approach": "value_based", "value_strategy": "premium", "currency": "CNY",
     "rationale": ("身份打通准确率与上线速度领先,面向重视数据质量的品牌溢价 15–20%,"
                   "用成功案例而不是折扣赢单。"),
     "price_floor_note": "专业版折后不低于 30 万元/年 (Professional never below ¥300,000 a year)",
     "tiers": [
         {"name": "标准版 Standard", "price": "180000.00", "period": "year", "min_seats": 1,
          "max_seats": 10, "fits": "单品牌、单渠道起步的零售企业",
          "included": "- 身份打通\n- 标签工厂\n- 5 个数据连接器", "position": 0},
         {"name": "专业版 Professional", "price": "360000.00", "period": "year",
          "min_seats": 11, "max_seats": 50, "fits": "多品牌、线上线下一体的零售与电商企业",
          "included": "- 标准版全部功能\n- 人群圈选与渠道同步\n- 不限连接器", "position": 1},
         {"name": "旗舰版 Flagship", "price": "880000.00", "period": "year", "min_seats": 51,
          "max_seats": None, "fits": "集团型客户,需要私有化与专属数据团队支持",
          "included": "- 专业版全部功能\n- 私有化部署\n- 驻场数据顾问", "position": 2},
     ],
     "discounts": [
         {"name": "大单阶梯减价 Volume price reduction", "kind": "reduction",
          "ratio_type": "progressive",
          "steps": [{"from": 200000, "percent": 3}, {"from": 500000, "percent": 6},
                    {"from": 1000000, "percent": 10}],
          "conditions": "按合同金额累进计算 (progressive on the contract value)"},
     ]},
    {"product": "cloud", "approach": "value_based", "value_strategy": "promotional",
     "currency": "CNY",
     "rationale": ("以低于市场的首年价格进入中型企业市场,抢在蓝鲸免费版之前建立使用习惯,"
                   "次年恢复标准价。"),
     "price_floor_note": "团队版首年不低于 4.2 万元 (Team never below ¥42,000 in the first year)",
     "tiers": [
         {"name": "入门版 Starter", "price": "19800.00", "period": "year", "min_seats": 1,
          "max_seats": 5, "fits": "刚开始做线索培育的小型市场团队",
          "included": "- 营销旅程(10 条)\n- 短信与邮件", "position": 0},
         {"name": "团队版 Team", "price": "59800.00", "period": "year", "min_seats": 6,
          "max_seats": 25, "fits": "每月举办多场活动的中型企业市场部",
          "included": "- 入门版全部功能\n- 企业微信与公众号\n- A/B 测试", "position": 1},
         {"name": "企业版 Enterprise", "price": "168000.00", "period": "year",
          "min_seats": 26, "max_seats": None, "fits": "多事业部、需要归因与审批流的企业",
          "included": "- 团队版全部功能\n- 营销归因\n- 审批流与审计", "position": 2},
     ],
     "discounts": [
         {"name": "首年推广价 First-year promotional price", "kind": "reduction",
          "ratio_type": "fixed", "steps": [{"from": 0, "percent": 30}],
          "conditions": "仅限新客户首年 (new customers, first year only)"},
     ]},
]

# --- S8 strategy review: answers to the four seeded questions, in order ---------------------

REVIEW_ANSWERS = {
    "sdk": [
        (12, "leader", "适合。中长尾开发者增长快,隐私合规需求让轻量、合规的 SDK 更受欢迎。"),
        (12, "leader", "三行配置的自动埋点和授权前零采集的隐私模式,是开发者访谈中最常被提到的两点。"),
        (12, "leader", "补上按渠道拆分的留存和实时看板;用年付返点而不是降价回应观数。"),
        (12, "director", "私有化小单(20 席位以下)交付成本过高,建议不再单独销售,引导到成长版。"),
    ],
    "cdp": [
        (30, "leader", "适合。零售数字化投入持续增长,一人一档是品牌的刚需。"),
        (30, "leader", "跨端身份打通准确率领先,平均 6 周上线。"),
        (30, "leader", "尽快达成电商平台数据合作,缩小与量子画像的差距。"),
        (30, "director", "单独的标签工厂模块几乎无人购买,从价目表移除,并入标准版。"),
    ],
    "cloud": [
        (20, "leader", "适合。营销 SaaS 进入整合期,中型企业需要一站式平台。"),
        (20, "leader", "旅程、A/B 测试与归因在一个产品里,市场专员 14 天即可上线。"),
        (20, "leader", "把归因报表尽快做到正式版,并以首年推广价抢占中型企业。"),
        (20, "director", "按条计费的短信包利润低且与运营商政策冲突,下季度停止单独销售。"),
    ],
}
