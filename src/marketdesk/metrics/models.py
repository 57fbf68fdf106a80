"""Records of the metrics area. The facts themselves live in the analytics store
(``metrics.store``), not in these tables (decision 0006)."""

from marketdesk.core.roles import ALL_ROLES, EDITORS, LEADERS


class _Analytics:
    """The permission gate's rules for the analytics area as a whole: facts are
    company-wide, so there is no team scope — only the right (decision 0006)."""

    gate_rules = {"view": ALL_ROLES, "add": EDITORS, "change": EDITORS, "delete": LEADERS}

    def __repr__(self):
        return "ANALYTICS"


ANALYTICS = _Analytics()
