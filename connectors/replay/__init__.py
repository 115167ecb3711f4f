"""Replay server: each platform's API played over a mutable world of items, for tests and the demo.

Platforms register a :class:`PlatformReplay` from ``connectors/replay/<platform>.py`` by calling
:func:`register_replay` at import time; :func:`replay_platforms` imports every built-in one, so the
contract suite and the demo find new platforms without a list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

from connectors.replay.server import (
    ChannelState,
    Fault,
    PlatformReplay,
    RecordedRequest,
    RecordedWrite,
    ReplayRequest,
    ReplayResponse,
    ReplayServer,
    json_response,
)

__all__ = [
    "ChannelState",
    "Fault",
    "PlatformReplay",
    "RecordedRequest",
    "RecordedWrite",
    "ReplayRequest",
    "ReplayResponse",
    "ReplayServer",
    "json_response",
    "register_replay",
    "replay_for",
    "replay_platforms",
]

_REPLAYS: dict[str, PlatformReplay] = {}


def register_replay(replay: PlatformReplay) -> PlatformReplay:
    """Make ``replay`` the handler of ``replay.platform`` (call at module import)."""
    _REPLAYS[replay.platform] = replay
    return replay


def _load_builtins() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "server" and not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


def replay_platforms() -> dict[str, PlatformReplay]:
    """Every platform with a replay handler, by platform name."""
    _load_builtins()
    return dict(_REPLAYS)


def replay_for(platform: str) -> PlatformReplay:
    """The replay handler of ``platform`` (KeyError if none)."""
    if platform not in _REPLAYS:
        _load_builtins()
    return _REPLAYS[platform]
