"""The user's configuration: YAML files in ``config/`` validated with pydantic at start-up.

``NETZPFLEGE_CONFIG_DIR`` points to another folder. A bad file raises :class:`ConfigError` whose
message names the file, the key and the problem, in German, for the CLI to print without a traceback.
Secrets never appear here, only the names of the environment variables that hold them.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PLATFORMS = ("rss", "mastodon", "bluesky", "facebook", "instagram", "youtube", "export")
LANDS = ("BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- channels.yaml ---------------------------------------------------------------------------


class ChannelConfig(_Strict):
    """One account on one platform."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
    platform: Literal["rss", "mastodon", "bluesky", "facebook", "instagram", "youtube", "export"]
    name: str
    handle: str = ""
    base_url: str = ""  # API root (a Mastodon instance, a mirror, a test server) or the feed URL
    account_id: str = ""  # the platform's id of the municipality's own account, where known
    own_account_ids: tuple[str, ...] = ()  # further ids that count as "own" (e.g. a second admin)
    token_env: str | None = None  # NAME of the environment variable holding the token or API key
    options: dict[str, Any] = Field(default_factory=dict)  # platform-specific extras
    posts_per_week: tuple[float, float] | None = None  # cadence target (min, max)
    lookback_days: int = Field(default=14, ge=0, le=365)  # re-scan comments of posts this young
    sla_minutes: dict[str, int] = Field(default_factory=dict)  # per-urgency overrides
    active: bool = True

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "muss der NAME einer Umgebungsvariablen sein (z. B. NETZPFLEGE_FB_TOKEN), nie das Geheimnis selbst"
            )
        return value

    def token(self) -> str | None:
        """The secret from the environment variable named by ``token_env`` (None when unset)."""
        return os.environ.get(self.token_env) if self.token_env else None


class ChannelsFile(_Strict):
    municipality: str = "Musterstadt"
    channels: list[ChannelConfig]

    @model_validator(mode="after")
    def _unique_ids(self) -> ChannelsFile:
        seen: set[str] = set()
        for ch in self.channels:
            if ch.id in seen:
                raise ValueError(f"Kanal-ID {ch.id!r} kommt mehrfach vor")
            seen.add(ch.id)
        return self


# --- policy.yaml -----------------------------------------------------------------------------


class UrgencyClass(_Strict):
    """One rung of the urgency ladder; the first class whose terms match wins."""

    id: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    label: str
    sla_minutes: int | None = Field(default=None, ge=1)  # None: no answer expected
    clock: Literal["staffed", "calendar"] = "staffed"  # count SLA minutes in staffed or calendar time
    terms: tuple[str, ...] = ()  # lower-case stems matched on word starts of the normalised text
    exclude: tuple[str, ...] = ()  # word starts that contain a term but are no match ("feuerwerk" for "feuer")
    needs_question: bool = False  # terms count only when the comment asks or requests something
    complaints: bool = False  # also takes complaints without a term (rhetorical, accusing questions)
    hint: str = ""  # what the moderator should do, shown in the queue


class StaffedHours(_Strict):
    """Opening hours of the social-media desk per weekday, e.g. ``mon: ["08:00", "16:00"]``."""

    mon: tuple[time, time] | None = (time(8), time(16))
    tue: tuple[time, time] | None = (time(8), time(16))
    wed: tuple[time, time] | None = (time(8), time(16))
    thu: tuple[time, time] | None = (time(8), time(18))
    fri: tuple[time, time] | None = (time(8), time(13))
    sat: tuple[time, time] | None = None
    sun: tuple[time, time] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> StaffedHours:
        for day in WEEKDAYS:
            span = getattr(self, day)
            if span is not None and span[0] >= span[1]:
                raise ValueError(f"{day}: Beginn muss vor dem Ende liegen")
        return self


class Policy(_Strict):
    land: Literal[LANDS]  # type: ignore[valid-type]  # public holidays of this Land
    timezone: str = "Europe/Berlin"
    staffed_hours: StaffedHours = Field(default_factory=StaffedHours)
    urgency: list[UrgencyClass]
    default_question_class: str = "frage"
    default_class: str = "info"
    retention_days: int = Field(default=180, ge=7)
    auto_hide: bool = False  # suggest only unless the user opts in

    @model_validator(mode="after")
    def _classes_known(self) -> Policy:
        ids = [u.id for u in self.urgency]
        if len(set(ids)) != len(ids):
            raise ValueError("Dringlichkeitsklassen haben doppelte IDs")
        for name in (self.default_question_class, self.default_class):
            if name not in ids:
                raise ValueError(f"Klasse {name!r} ist unter 'urgency' nicht definiert")
        return self

    def urgency_class(self, class_id: str) -> UrgencyClass:
        return next(u for u in self.urgency if u.id == class_id)


# --- netiquette.yaml, checklist.yaml, templates.yaml -----------------------------------------


class NetiquetteRule(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z]{1,3}[0-9]{1,3}$")]
    title: str
    text: str
    default_action: Literal["hide", "delete", "warn", "report", "none"]
    legal_basis: str = ""
    categories: tuple[str, ...] = ()  # abuse categories this rule covers


class NetiquetteFile(_Strict):
    published_url: str = ""
    rules: list[NetiquetteRule]


class ChecklistItem(_Strict):
    id: Annotated[str, Field(pattern=r"^DS[0-9]{2}$")]
    title: str
    description: str
    basis: str
    review_months: int = Field(ge=1, le=60)
    review_trigger: str = ""
    platforms: tuple[str, ...] = ()  # empty: applies to every platform


class ChecklistFile(_Strict):
    items: list[ChecklistItem]


class ReplyTemplate(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    title: str
    text: str


class TemplatesFile(_Strict):
    templates: list[ReplyTemplate]


class Config(_Strict):
    """All configuration, loaded and validated together."""

    directory: Path
    municipality: str
    channels: list[ChannelConfig]
    policy: Policy
    netiquette: NetiquetteFile
    checklist: ChecklistFile
    templates: TemplatesFile

    def channel(self, channel_id: str) -> ChannelConfig:
        for ch in self.channels:
            if ch.id == channel_id:
                return ch
        raise ConfigError(f"Kanal {channel_id!r} steht nicht in {self.directory / 'channels.yaml'}")


# --- loading ---------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)

#: the packaged default configuration (the repository's config/ folder)
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "config"


def config_dir() -> Path:
    """``NETZPFLEGE_CONFIG_DIR``, else ``./config`` if it holds a channels.yaml, else the defaults."""
    env = os.environ.get("NETZPFLEGE_CONFIG_DIR", "").strip()
    if env:
        return Path(env)
    local = Path.cwd() / "config"
    return local if (local / "channels.yaml").is_file() else DEFAULT_DIR


YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 5-10x faster start-up


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(oberste Ebene)"


def load_model(path: Path, model: type[M]) -> M:
    """Read one YAML file into ``model``; every failure becomes a :class:`ConfigError` naming file and key."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"{path}: Datei fehlt") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: ist keine UTF-8-Textdatei") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1}, Spalte {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: kein gültiges YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: erwartet eine Zuordnung (key: value) auf oberster Ebene")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (und {exc.error_count() - 1} weitere Fehler)" if exc.error_count() > 1 else ""
        msg = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: {_where(first['loc'])}: {msg}{more}") from None


def load_config(directory: Path | None = None) -> Config:
    """Load and cross-check every file of the configuration folder."""
    d = directory or config_dir()
    if not d.is_dir():
        raise ConfigError(f"{d}: Konfigurationsordner fehlt (NETZPFLEGE_CONFIG_DIR prüfen)")
    channels = load_model(d / "channels.yaml", ChannelsFile)
    policy = load_model(d / "policy.yaml", Policy)
    class_ids = {u.id for u in policy.urgency}
    for i, ch in enumerate(channels.channels):
        for name in ch.sla_minutes:
            if name not in class_ids:
                raise ConfigError(
                    f"{d / 'channels.yaml'}: channels[{i}].sla_minutes: unbekannte Dringlichkeitsklasse {name!r}"
                )
    return Config(
        directory=d,
        municipality=channels.municipality,
        channels=channels.channels,
        policy=policy,
        netiquette=load_model(d / "netiquette.yaml", NetiquetteFile),
        checklist=load_model(d / "checklist.yaml", ChecklistFile),
        templates=load_model(d / "templates.yaml", TemplatesFile),
    )
