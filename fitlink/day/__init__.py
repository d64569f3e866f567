"""One local day of a person's data: a page on one timeline, and the same day as JSON (blueprint "day")."""

from .views import bp

__all__ = ["bp"]
