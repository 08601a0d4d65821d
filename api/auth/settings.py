"""``RDH_AUTH_*``: where the gateway is reached (what sign-in messages must name) and where
its sessions live."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from rdh_chain.config import Settings
from rdh_chain.exceptions import ConfigError

# EIP-4361 asks the relying party to refuse messages issued too long ago.
MAX_MESSAGE_AGE_SECONDS = 5 * 60


class AuthSettings(BaseSettings):
    """The gateway's public URL, its session store and how long a session lasts.

    ``public_url``: the origin people open (``https://ledger.example.org``); a sign-in
    message must name its host as domain and a URI on it. By default the gateway's own
    ``http://RDH_API_HOST:RDH_API_PORT``. ``store_url``: a SQLAlchemy URL shared by every
    worker process (PostgreSQL, or by default ``<data>/gateway/auth.sqlite`` in WAL mode).
    """

    model_config = SettingsConfigDict(env_prefix="RDH_AUTH_", frozen=True)

    public_url: str | None = None
    store_url: str | None = None
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # How often a session's roles are read again from the chain when no index says whether
    # they changed.
    recheck_seconds: float = Field(default=30.0, ge=0)
    # How often one process asks the index whether a session's roles changed.
    index_check_seconds: float = Field(default=1.0, ge=0)


class Site:
    """The gateway as sign-in messages must name it."""

    def __init__(self, public_url: str) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"RDH_AUTH_PUBLIC_URL {public_url!r} is not an http(s) URL; set it to the "
                "address people open, e.g. https://ledger.example.org."
            )
        self.url = public_url.rstrip("/")
        self.scheme = parts.scheme
        self.domain = parts.netloc  # host[:port], as EIP-4361's authority
        self.secure = parts.scheme == "https"

    def owns(self, uri: str) -> bool:
        """Whether ``uri`` is on this gateway (same scheme, host and port)."""
        parts = urlsplit(uri)
        return (parts.scheme, parts.netloc) == (self.scheme, self.domain)


def site_for(settings: Settings, auth: AuthSettings) -> Site:
    return Site(auth.public_url or f"http://{settings.api_host}:{settings.api_port}")


def store_url_for(settings: Settings, auth: AuthSettings) -> str:
    if auth.store_url:
        return auth.store_url
    folder = settings.data_dir / "gateway"
    return f"sqlite:///{folder / 'auth.sqlite'}"
