"""Joint purchasing's use cases: each takes a unit of work, runs in one transaction, returns typed
read models and declares its permission (``@requires``).

- :mod:`.agreements`: load an agreement file, renew, documents, members' regions, read models;
- :mod:`.catalogue`: price lists (CSV, XLSX), price history, indexation;
- :mod:`.accessions`: a member joins an agreement; who joined what;
- :mod:`.orders`: the order's life (draft, approve, place, deliver, invoice, cancel);
- :mod:`.commissions`: the suppliers' quarterly commission statements;
- :mod:`.followup`: consumption against ceilings, alerts, savings;
- :mod:`.funding`: the commissions as ledger lines (income on the purchasing team's centre) and
  against that centre's cost in the close.
"""

from __future__ import annotations
