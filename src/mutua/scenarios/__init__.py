"""Scenarios: a year under another cost model, allocation method or tariffs, compared with what was
adopted before anything is decided; saved by name, shown to the board, adopted from a date."""
