"""A deadline's basis shown in the user's language (O7, O10): the stored ``start −30d``
reads "start −30 days" in English and "开始日期 −30 天" in Chinese."""

import pytest
from django.utils import translation

from marketdesk.sop.deadlines import basis_label


@pytest.mark.parametrize(("basis", "en", "zh"), [
    ("start −30d", "start −30 days", "开始日期 −30 天"),
    ("start −1d", "start −1 day", "开始日期 −1 天"),
    ("end +5d (P0–P1) / +2d (P2–P3)", "end +5 days (P0–P1) / +2 days (P2–P3)",
     "结束日期 +5 天 (P0–P1) / +2 天 (P2–P3)"),
    ("start 0d", "start same day", "开始日期 当天"),
    ("publish 0d 12:00", "publication same day 12:00", "发布日期 当天 12:00"),
    ("start −2bd", "start −2 business days", "开始日期 −2 个工作日"),
    ("stage:planning +3d", "completion of stage “planning” +3 days", "阶段“planning”完成 +3 天"),
    ("kickoff −7d", "kickoff −7 days", "kickoff −7 天"),
    ("", "", ""),
])
def test_basis_in_both_languages(basis, en, zh):
    with translation.override("en"):
        assert basis_label(basis) == en
    with translation.override("zh-hans"):
        assert basis_label(basis) == zh
