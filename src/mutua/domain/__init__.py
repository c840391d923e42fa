"""The domain core: pure records and rules. Imports no framework, database or web library."""
