"""Mutua: the platform of a public-sector ICT cost-sharing association."""

__version__ = "0.1.0"
