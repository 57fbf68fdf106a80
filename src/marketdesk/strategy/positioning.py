"""S6 positioning rules of seed 000, checked live while the user types:

1. short — explainable within one minute;
2. benefit over feature — what the customer gains, not what the product has;
3. brand voice — uses words that carry the brand's voice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# One minute of speech: about 150 English words, or about 250 Chinese characters
# (conversational Mandarin runs 200–300 characters a minute). We keep to a comfortable
# pace so the statement can be explained, not just read, within the minute.
WORDS_PER_MINUTE = 150
CJK_CHARS_PER_MINUTE = 250

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")

BENEFIT_WORDS_EN = (
    "save", "saves", "grow", "grows", "increase", "increases", "reduce", "reduces", "cut",
    "cuts", "win", "wins", "faster", "easier", "more", "less", "improve", "improves",
    "help", "helps", "boost", "boosts", "without", "so you", "so that", "lets", "enable",
    "enables", "confidence", "revenue", "profit",
)
BENEFIT_WORDS_ZH = ("提高", "提升", "降低", "减少", "节省", "帮助", "帮", "增长", "更快", "更", "轻松",
                    "赢得", "让", "无需", "放心", "收入", "效率")
FEATURE_WORDS_EN = ("feature", "features", "supports", "includes", "module", "modules",
                    "integrates", "has", "equipped", "built-in", "dashboard", "api")
FEATURE_WORDS_ZH = ("功能", "支持", "包含", "模块", "内置", "集成", "具备", "配备")


@dataclass(frozen=True)
class Check:
    rule: str
    ok: bool
    message: str


def _join(words) -> str:
    # Chinese lists use the enumeration comma (顿号), English a comma and a space.
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(words)


def speaking_seconds(text: str) -> float:
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return cjk * 60 / CJK_CHARS_PER_MINUTE + words * 60 / WORDS_PER_MINUTE


def _count(text: str, vocab) -> list[str]:
    lowered = text.lower()
    found = []
    for word in vocab:
        if _CJK.search(word):
            if word in text:
                found.append(word)
        elif re.search(rf"(?<![a-z]){re.escape(word.lower())}(?![a-z])", lowered):
            found.append(word)
    return found


def check_statement(text: str, *, feature_names=(), brand_words=()) -> list[Check]:
    text = text or ""
    seconds = speaking_seconds(text)
    # Whole seconds rounded up: 60.4 s is "61 seconds", over the minute, never "60".
    shown = math.ceil(seconds)
    checks = [
        Check(
            "short",
            0 < seconds <= 60,
            _("About %(s)d seconds to say — fits in one minute.") % {"s": shown}
            if 0 < seconds <= 60
            else (_("Empty statement.") if seconds == 0 else
                  _("About %(s)d seconds to say — cut it to one minute.") % {"s": shown}),
        )
    ]
    benefits = _count(text, BENEFIT_WORDS_EN + BENEFIT_WORDS_ZH)
    features = _count(text, FEATURE_WORDS_EN + FEATURE_WORDS_ZH) + [
        name for name in feature_names if name and name.lower() in text.lower()
    ]
    benefit_ok = bool(benefits) and len(benefits) >= len(features)
    if benefit_ok:
        message = _("Leads with benefits (%(words)s).") % {"words": _join(benefits[:4])}
    elif features:
        message = _("Talks about features (%(words)s) more than what the customer gains.") % {
            "words": _join(features[:4])}
    else:
        message = _("Say what the customer gains (saves, grows, reduces …).")
    checks.append(Check("benefit", benefit_ok, message))
    used = _count(text, [w for w in brand_words if w])
    if not brand_words:
        checks.append(Check("voice", False, _("The product has no brand-voice words yet.")))
    elif used:
        checks.append(Check("voice", True, _("Uses brand-voice words: %(w)s.") % {"w": _join(used)}))
    else:
        checks.append(Check("voice", False, _("Use at least one brand-voice word: %(w)s.") % {
            "w": _join(brand_words[:6])}))
    return checks
