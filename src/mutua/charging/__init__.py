"""Charging: the close's inputs, the monthly close, the true-up, reports, statements, dashboards.

What other contexts may use of charging, besides its ``domain`` and ``ports``: a member's
statement (billing renders it as a PDF).
"""

from mutua.charging.service.reporting import member_statement as member_statement
