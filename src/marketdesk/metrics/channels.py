"""GA4's default channel grouping (O14), as a table of rules evaluated in order.

Google Analytics 4 assigns a session to the first channel group whose rule matches its
source, medium and campaign ("[GA4] Default channel group", Analytics Help). The rules
below are that table, in Google's order, with the channel codes of ``schema.CHANNELS``;
the source lists (search, social, video, shopping sites) are GA4's categories with the
Chinese platforms added (Baidu, Sogou, 360/so.com, Shenma; WeChat, Weibo, Douyin,
Xiaohongshu, Zhihu; Bilibili, Youku, iQiyi; Taobao, Tmall, JD, Pinduoduo).

When a touch carries no UTM source, the source and medium are derived the way GA4 does
for a hit without campaign parameters: no referrer → ``(direct)`` / ``(none)``; a referrer
from a search site → that site / ``organic``; any other external referrer → its host /
``referral``. A referrer on our own site (the page's host or ``MARKETDESK_OWN_DOMAINS``) is
an internal navigation, not an acquisition: no channel (NULL, shown as "(none)").
docs/tracking.md "Normalisation" lists every rule with examples; tests/metrics/
test_channels.py checks each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

# --- source categories (GA4's lists, with the Chinese platforms) ---------------------------

SEARCH_SITES = frozenset({
    "google", "bing", "baidu", "sogou", "360", "so.com", "haosou", "shenma", "sm.cn", "yahoo",
    "yandex", "duckduckgo", "naver", "ecosia", "ask", "aol", "yahoo.co.jp", "seznam", "daum",
    "startpage", "qwant", "search.brave.com", "youdao", "toutiao.com", "so.toutiao.com",
    "cn.bing.com", "m.sm.cn", "quark", "sm",
})
SOCIAL_SITES = frozenset({
    "wechat", "weixin", "weixin.qq.com", "mp.weixin.qq.com", "weibo", "weibo.com", "weibo.cn",
    "linkedin", "lnkd.in", "douyin", "xiaohongshu", "xhslink.com", "zhihu", "qq", "qzone",
    "douban", "facebook", "fb", "instagram", "twitter", "x", "t.co", "tiktok", "pinterest",
    "reddit", "snapchat", "whatsapp", "line", "kakao", "vk", "threads", "tieba",
    "maimai", "kuaishou", "xing", "quora", "discord", "telegram", "messenger",
})
VIDEO_SITES = frozenset({
    "youtube", "youtu.be", "vimeo", "bilibili", "b23.tv", "youku", "iqiyi", "v.qq.com",
    "ixigua", "twitch", "dailymotion", "wistia", "ted",
})
SHOPPING_SITES = frozenset({
    "taobao", "tmall", "jd", "pinduoduo", "yangkeduo", "amazon", "ebay", "etsy", "shopify",
    "alibaba", "aliexpress", "walmart", "google shopping", "shopping.google.com", "igshopping",
    "mercadolibre", "rakuten",
})

#: Labels after a site's own name that make up a registered domain (baidu.com, so.com,
#: google.co.uk, sina.com.cn): "m.baidu.com" and "www.google.co.uk" match "baidu"/"google".
_TLD_LABELS = frozenset({
    "com", "cn", "net", "org", "co", "uk", "jp", "hk", "tw", "de", "fr", "io", "me", "tv",
    "in", "kr", "ru", "sg", "au", "ca", "br", "es", "it", "nl", "us", "info", "biz", "app",
})

# --- the patterns of GA4's rules ----------------------------------------------------------

_PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
_SHOP_CAMPAIGN = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
_DISPLAY_MEDIA = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
_SOCIAL_MEDIA = frozenset({"social", "social-network", "social-media", "sm", "social network",
                           "social media"})
_VIDEO_MEDIUM = re.compile(r"^(.*video.*)$")
_REFERRAL_MEDIA = frozenset({"referral", "app", "link"})
_EMAIL_WORDS = frozenset({"email", "e-mail", "e_mail", "e mail"})
_DIRECT_MEDIA = frozenset({"(not set)", "(none)"})


def _host(value: str) -> str:
    """A bare host from a source written as a host or a URL: "https://www.Baidu.com/s?" →
    "baidu.com" (www. dropped)."""
    text = value.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    else:
        text = text.split("/", 1)[0]
    text = text.split(":", 1)[0]
    return text.removeprefix("www.")


def in_list(source: str | None, sites: Iterable[str]) -> bool:
    """Does a source name one of the sites? Matches the name itself ("baidu"), a host of it
    ("m.baidu.com", "www.google.co.uk"), or a listed host suffix ("mp.weixin.qq.com")."""
    if not source:
        return False
    if source in sites:
        return True
    host = _host(source)
    if host in sites:
        return True
    labels = host.split(".")
    for i in range(len(labels)):
        if ".".join(labels[i:]) in sites:
            return True
        rest = labels[i + 1:]
        if labels[i] in sites and rest and all(label in _TLD_LABELS for label in rest):
            return True
    return False


@dataclass(frozen=True)
class Touch:
    """The fields GA4's rules read, already trimmed and lower-cased ("" = not set)."""

    source: str
    medium: str
    campaign: str


@dataclass(frozen=True)
class Rule:
    channel: str
    #: the rule as GA4's documentation writes it
    text: str
    test: Callable[[Touch], bool]


def _paid(t: Touch) -> bool:
    return bool(_PAID_MEDIUM.match(t.medium))


def _shopping(t: Touch) -> bool:
    return in_list(t.source, SHOPPING_SITES) or bool(_SHOP_CAMPAIGN.match(t.campaign))


#: GA4's default channel group rules, in the order GA4 evaluates them; the first match wins.
RULES: tuple[Rule, ...] = (
    Rule("direct", 'Source exactly matches "(direct)" AND Medium is one of ("(not set)", '
         '"(none)")', lambda t: t.source == "(direct)" and t.medium in _DIRECT_MEDIA),
    Rule("cross_network", 'Campaign Name contains "cross-network"',
         lambda t: "cross-network" in t.campaign),
    Rule("paid_shopping", "(Source matches a list of shopping sites OR Campaign Name matches "
         "^(.*(([^a-df-z]|^)shop|shopping).*)$) AND Medium matches "
         "^(.*cp.*|ppc|retargeting|paid.*)$", lambda t: _shopping(t) and _paid(t)),
    Rule("paid_search", "Source matches a list of search sites AND Medium matches "
         "^(.*cp.*|ppc|retargeting|paid.*)$",
         lambda t: in_list(t.source, SEARCH_SITES) and _paid(t)),
    Rule("paid_social", "Source matches a list of social sites AND Medium matches "
         "^(.*cp.*|ppc|retargeting|paid.*)$",
         lambda t: in_list(t.source, SOCIAL_SITES) and _paid(t)),
    Rule("paid_video", "Source matches a list of video sites AND Medium matches "
         "^(.*cp.*|ppc|retargeting|paid.*)$",
         lambda t: in_list(t.source, VIDEO_SITES) and _paid(t)),
    Rule("display", 'Medium is one of ("display", "banner", "expandable", "interstitial", '
         '"cpm")', lambda t: t.medium in _DISPLAY_MEDIA),
    Rule("paid_other", "Medium matches ^(.*cp.*|ppc|retargeting|paid.*)$", _paid),
    Rule("organic_shopping", "Source matches a list of shopping sites OR Campaign Name "
         "matches ^(.*(([^a-df-z]|^)shop|shopping).*)$", _shopping),
    Rule("organic_social", 'Source matches a list of social sites OR Medium is one of '
         '("social", "social-network", "social-media", "sm", "social network", '
         '"social media")',
         lambda t: in_list(t.source, SOCIAL_SITES) or t.medium in _SOCIAL_MEDIA),
    Rule("organic_video", "Source matches a list of video sites OR Medium matches "
         "^(.*video.*)$",
         lambda t: in_list(t.source, VIDEO_SITES) or bool(_VIDEO_MEDIUM.match(t.medium))),
    Rule("organic_search", 'Source matches a list of search sites OR Medium exactly matches '
         '"organic"', lambda t: in_list(t.source, SEARCH_SITES) or t.medium == "organic"),
    Rule("referral", 'Medium is one of ("referral", "app", "link")',
         lambda t: t.medium in _REFERRAL_MEDIA),
    Rule("email", 'Source or Medium is one of ("email", "e-mail", "e_mail", "e mail")',
         lambda t: t.source in _EMAIL_WORDS or t.medium in _EMAIL_WORDS),
    Rule("affiliates", 'Medium exactly matches "affiliate"', lambda t: t.medium == "affiliate"),
    Rule("audio", 'Medium exactly matches "audio"', lambda t: t.medium == "audio"),
    Rule("sms", 'Source exactly matches "sms" OR Medium exactly matches "sms"',
         lambda t: t.source == "sms" or t.medium == "sms"),
    Rule("mobile_push_notifications", 'Medium ends with "push" OR Medium contains "mobile" '
         'or "notification" OR Source exactly matches "firebase"',
         lambda t: t.medium.endswith("push") or "mobile" in t.medium
         or "notification" in t.medium or t.source == "firebase"),
)


@lru_cache(maxsize=8192)
def group(source: str | None, medium: str | None, campaign: str | None = None) -> str | None:
    """The GA4 default channel group of normalised UTM values; None = GA4's "Unassigned"."""
    touch = Touch(source or "", medium or "", campaign or "")
    for rule in RULES:
        if rule.test(touch):
            return rule.channel
    return None


def _own(host: str, page_host: str, own_domains: tuple[str, ...]) -> bool:
    if page_host and (host == page_host or host.removeprefix("www.") == page_host.removeprefix("www.")):
        return True
    return any(host == d or host.endswith("." + d) for d in own_domains)


def source_medium_from_referrer(referrer: str | None, url: str | None,
                                own_domains: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """GA4's source / medium of a hit without campaign parameters; None for an internal
    navigation (a referrer on our own site), which is no acquisition touch."""
    if not referrer:
        return "(direct)", "(none)"
    host = (urlsplit(referrer).hostname or "").lower() if "://" in referrer else _host(referrer)
    if not host:
        return "(direct)", "(none)"
    page_host = (urlsplit(url).hostname or "").lower() if url and "://" in url else ""
    if _own(host, page_host, own_domains):
        return None
    host = host.removeprefix("www.")
    if in_list(host, SEARCH_SITES):
        return host, "organic"
    return host, "referral"


@lru_cache(maxsize=65536)
def _derive_cached(source, medium, campaign, referrer_host, page_host, own_domains, web):
    if source or medium:
        return group(source, medium, campaign)
    if not web:
        # A non-web touch (an e-mail open, a meeting) with no UTM values: nothing to group.
        return group(None, None, campaign) if campaign else None
    derived = source_medium_from_referrer(referrer_host and f"https://{referrer_host}/",
                                          page_host and f"https://{page_host}/", own_domains)
    if derived is None:
        return None
    return group(derived[0], derived[1], campaign)


#: Event types whose touch is a visit of a web page: without UTM values and referrer they
#: are GA4's "(direct) / (none)".
WEB_EVENT_TYPES = frozenset({"page_view", "form_submit", "cta_view", "cta_click",
                             "content_view", "subscribe", "custom"})


_URL_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]*)")


def url_host(url: str | None) -> str:
    """The lower-cased host of a URL ("" when it has none); a bare host is its own host."""
    if not url:
        return ""
    match = _URL_HOST.match(url)
    if match:
        return match.group(1).lower()
    return "" if "://" in url else _host(url)


def derive(source: str | None, medium: str | None, campaign: str | None,
           referrer: str | None, url: str | None, event_type: str | None,
           own_domains: tuple[str, ...] = ()) -> str | None:
    """The channel of a touch that was not given one (ingest): GA4's grouping of its UTM
    values, or of the source / medium derived from its referrer (web touches only)."""
    referrer_host = url_host(referrer)
    page_host = url_host(url) if url and "://" in url else ""
    return _derive_cached(source or "", medium or "", campaign or "", referrer_host, page_host,
                          own_domains, event_type in WEB_EVENT_TYPES)
