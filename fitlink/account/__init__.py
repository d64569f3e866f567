"""The person's account: change or reset the password, export everything, delete everything."""

from .views import bp

__all__ = ["bp"]
