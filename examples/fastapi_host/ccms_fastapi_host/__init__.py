"""A small FastAPI application over the ccms Desk and SQLite (see ``README.md``)."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
