"""Database URLs as shown to people: the password masked (messages end up in
terminals and CI logs). Here because reading a URL is SQLAlchemy's job and only
netmap/storage/ imports SQLAlchemy (tests/test_layers.py); netmap/cli.py uses it."""

from __future__ import annotations


def shown_url(url: str) -> str:
    """The database URL with its password masked."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: nothing to mask reliably but the userinfo
        return url.split("@", 1)[-1] if "@" in url else url
