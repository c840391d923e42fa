"""The charging context's domain: records and pure rules (no I/O).

- :mod:`.charges`: provisional charges at the year's tariffs, and the actual cost shares;
- :mod:`.books`: the close's inputs (ledger lines, time entries, usage);
- :mod:`.pipeline`: the runner of named, timed stages;
- :mod:`.close`: the close of a month as stages (check, charge, validate);
- :mod:`.trueup`: the actual cost (allocate support, allocate actual) and the true-up (check, settle);
- :mod:`.projection`: the projection of an engagement's spend to the year's end;
- :mod:`.totals`: the sums the read models are drawn from.
"""

from mutua.charging.domain.books import LedgerLine, TimeEntry, UsageLine
from mutua.charging.domain.charges import (
    ActualAllocation,
    Charge,
    DirectCost,
    Drivers,
    Share,
    TimeQuantity,
    UsageQuantity,
    allocate_actual,
    charged_by_engagement,
    months_active,
    provisional_charges,
    unstorable,
)
from mutua.charging.domain.close import CloseDraft, MonthBooks, draft_close, month_blockers
from mutua.charging.domain.pipeline import Timings
from mutua.charging.domain.projection import Projection, project
from mutua.charging.domain.totals import ChargeTotal, LedgerTotal, MemberShare, MonthlyCharge, UsageMonth
from mutua.charging.domain.trueup import (
    ActualBooks,
    ActualCost,
    Settlement,
    TrueUpMode,
    TrueUpRun,
    allocate_actual_cost,
    model_used,
    settle,
    true_up_blockers,
)

__all__ = [
    "ActualAllocation",
    "ActualBooks",
    "ActualCost",
    "Charge",
    "ChargeTotal",
    "CloseDraft",
    "DirectCost",
    "Drivers",
    "LedgerLine",
    "LedgerTotal",
    "MemberShare",
    "MonthBooks",
    "MonthlyCharge",
    "Projection",
    "Settlement",
    "Share",
    "TimeEntry",
    "TimeQuantity",
    "Timings",
    "TrueUpMode",
    "TrueUpRun",
    "UsageLine",
    "UsageMonth",
    "UsageQuantity",
    "allocate_actual",
    "allocate_actual_cost",
    "charged_by_engagement",
    "draft_close",
    "model_used",
    "month_blockers",
    "months_active",
    "project",
    "provisional_charges",
    "settle",
    "true_up_blockers",
    "unstorable",
]
