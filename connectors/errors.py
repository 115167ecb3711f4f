"""The connectors' one exception tree: retriable faults vs fatal ones.

Messages are German (they reach the press office) and never contain tokens or full query URLs.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector failure; ``channel_id`` is filled in by the sync runner."""

    retriable = False

    def __init__(self, message: str, *, channel_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.channel_id = channel_id

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.message}" if self.channel_id else self.message


class RetriableError(ConnectorError):
    """A transient fault (5xx, connection reset, timeout): retry with backoff."""

    retriable = True


class RateLimited(RetriableError):
    """HTTP 429 or the platform's own throttling code; ``retry_after`` seconds if the platform said."""

    def __init__(self, message: str, *, retry_after: float | None = None, channel_id: str | None = None) -> None:
        super().__init__(message, channel_id=channel_id)
        self.retry_after = retry_after


class FatalError(ConnectorError):
    """A fault that retrying will not fix."""


class AuthError(FatalError):
    """Token missing, expired or invalid, or the account lacks the permission."""


class NotFound(FatalError):
    """The requested object does not exist (any more) upstream."""


class SourceFormatError(FatalError):
    """The platform answered with something we cannot parse (malformed JSON/XML, missing fields)."""


class ConfigurationError(FatalError):
    """The channel's configuration cannot work (e.g. a missing account id)."""


class CapabilityError(FatalError):
    """The platform (or this connector) cannot do the requested write-back."""
