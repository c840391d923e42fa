"""The charging context's persistence: its tables and the repository that implements its ports."""

from mutua.charging.db.repository import SqlCharging as SqlCharging
from mutua.charging.db.tables import carry_forwards as carry_forwards
from mutua.charging.db.tables import charges as charges
from mutua.charging.db.tables import close_runs as close_runs
from mutua.charging.db.tables import ledger_lines as ledger_lines
from mutua.charging.db.tables import periods as periods
from mutua.charging.db.tables import time_entries as time_entries
from mutua.charging.db.tables import true_up_shares as true_up_shares
from mutua.charging.db.tables import usage as usage
