"""Pieces every context's documents share: Peppol BIS Billing 3.0 UBL building blocks
(:mod:`.ubl`) and PDF rendering with WeasyPrint (:mod:`.pdf`). Each context keeps its own documents'
contents and templates; these modules hold only what does not depend on any of them."""
