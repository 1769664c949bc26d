"""The web service, for `uvicorn service:app` (the app itself is drafting.web.app)."""

from drafting.web.app import app

__all__ = ["app"]
