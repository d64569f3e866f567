"""The home page, the dashboard and the data exports (blueprint "dashboard")."""

from .views import bp

__all__ = ["bp"]
