"""What the baselines compute, written once so both follow the same rules as the engine
(DOMAIN "Conventions", issue 4 "Funnels and attribution"):

- a touch belongs to ``coalesce(person_id, identities.person_id of its anonymous_id)``;
- a revenue conversion is a ``closed_won`` deal row (its ``amount``); each is attributed
  on its own over the touches with conversion − 90 days ≤ ts < conversion, ordered by
  (ts, event_id); a conversion without eligible touch is "unattributed";
- a missing channel or campaign is credited to "(none)";
- the funnel counts persons: step 1 is the person's first ``lead``; each later step is
  the first event of that stage after the previous step and within 90 days of step 1;
- campaign ROI = (linear-attributed revenue − spend) / spend, per campaign.
"""

from __future__ import annotations

NONE = "(none)"
WINDOW_DAYS = 90
HALF_LIFE_DAYS = 7.0
FUNNEL_STEPS = ("lead", "mql", "opportunity", "customer")
RULE_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "full_path",
               "time_decay")
