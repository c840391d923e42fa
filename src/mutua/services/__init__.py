"""Use cases: each runs in one unit of work, validates everything first, writes all or nothing."""
