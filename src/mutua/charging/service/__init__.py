"""The charging context's use cases: the close and true-up (close), the imports of the close's inputs
(imports), the report and statements (reporting), the members' dashboards (dashboard), the
association's pictures of a year (association) and next year's tariffs (tariffs)."""
