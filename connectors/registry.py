"""The registry of connectors: adding a platform is adding one module that calls :func:`register`.

Built-ins register exactly the way an extension would.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from connectors.base import Capability, Stream, WriteResult
from connectors.errors import CapabilityError
from connectors.http import HttpClient
from store.config import ChannelConfig

BUILTIN_MODULES = ("rss", "mastodon", "bluesky", "facebook", "instagram", "youtube", "export")


class Connector(ABC):
    """One channel's connection to its platform."""

    platform: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, channel: ChannelConfig, client: HttpClient) -> None:
        self.channel = channel
        self.client = client

    @abstractmethod
    def streams(self) -> list[Stream]:
        """The channel's streams in the order they must run (parents before children)."""

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Publish ``text`` as the town's public reply under an item."""
        raise CapabilityError(f"{self.platform}: Antworten wird nicht unterstützt")

    def hide(self, external_id: str) -> WriteResult:
        """Hide a citizen's item from the public (reversible)."""
        raise CapabilityError(f"{self.platform}: Verbergen wird nicht unterstützt")

    def delete(self, external_id: str) -> WriteResult:
        """Delete an item upstream (irreversible)."""
        raise CapabilityError(f"{self.platform}: Löschen wird nicht unterstützt")


C = TypeVar("C", bound=Connector)


class ConnectorStream(Generic[C]):
    """Base of a connector's streams: they read through their connector and know its channel."""

    def __init__(self, connector: C) -> None:
        self.connector = connector
        self.channel = connector.channel


_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make ``cls`` the connector for ``cls.platform``."""
    _REGISTRY[cls.platform] = cls
    return cls


def _load_builtins() -> None:
    for name in BUILTIN_MODULES:
        try:
            importlib.import_module(f"connectors.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"connectors.{name}":
                raise


def connectors() -> dict[str, type[Connector]]:
    """Every registered connector by platform name."""
    _load_builtins()
    return dict(_REGISTRY)


def connector_for(channel: ChannelConfig, client: HttpClient) -> Connector:
    """The connector instance for ``channel``'s platform."""
    return connectors()[channel.platform](channel, client)
