"""The small association's cost model, shared by the unit tests (fakes) and the integration tests
(SQLite, PostgreSQL)."""

MODEL = """\
name: small association
version: "1"
association: {name: Small association, enterprise_number: "0406798006", iban: BE71096123456769}
support_allocation: {method: step_down, order: [HR]}
centres:
  - {code: HR, name: Human resources, kind: support, key: {basis: weights, weights: {DEV: 3, SEC: 1, VM: 1}}}
  - {code: DEV, name: Development, kind: operational}
  - {code: SEC, name: Secondment, kind: operational}
  - {code: VM, name: Virtual machines, kind: service}
accounts:
  - {prefix: "61", name: Services}
  - {prefix: "62", name: Remuneration}
  - {prefix: "74", name: Other operating income, centre: HR}
services:
  - {code: HOURS, name: Development, centre: DEV, activity: development, charging: time, unit: hour, unit_code: HUR}
  - {code: SECOND, name: Secondment, centre: SEC, activity: secondment, charging: real_cost, unit: EUR at cost,
     unit_code: C62}
  - {code: VMH, name: VM hours, centre: VM, activity: infrastructure, charging: usage, unit: VM-hour, unit_code: HUR}
tariffs:
  - {year: 2025, service: HOURS, grades: {junior: "60.00", senior: "90.00"}}
  - {year: 2025, service: SECOND, markup: "0.05"}
  - {year: 2025, service: VMH, price: "0.5"}
"""
A, B = "0203430576", "0406798006"
