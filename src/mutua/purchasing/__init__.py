"""Joint purchasing: the association as central purchasing body (framework agreements, lots,
suppliers, catalogues, accessions, orders, commissions). Layer 4, beside billing, metering and
access; it reads the registry (members, engagements) through its public surface.

Other contexts use it only through this module, :mod:`mutua.purchasing.domain` and
:mod:`mutua.purchasing.ports`.
"""
