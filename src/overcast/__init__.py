"""Overcast: a local AWS cloud that speaks the real wire protocols."""

__version__ = "0.1.0"
