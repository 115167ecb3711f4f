"""What the demo town and its citizens write: posts, comments and the town's answers, from ``data/*.yaml``.

The YAML files hold the phrases (German, like the UI); this module only picks and fills them. Every
text is plain: no HTML, no markdown other than what hostile citizens try to sneak in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from dashboard.demo.grammar import Roughener, SlotValue, capitalise_sentences, declined, expand, obfuscate
from dashboard.demo.platforms import Author, ascii_slug

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the phrase files 10x faster
DATA_DIR = Path(__file__).resolve().parent / "data"
CATEGORIES = ("frage", "frist", "notfall", "beschwerde", "kritik", "lob", "neutral", "presse", "beleidigung",
              "profanitaet", "drohung", "hass", "spam", "pii", "rhetorisch")  # fmt: skip
WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember")  # fmt: skip
_TIMES = ("8 Uhr", "halb neun", "9 Uhr", "10:30", "12 Uhr", "14 Uhr", "16 Uhr", "17:30", "18 Uhr", "20 Uhr")
_PHONE_BLOCKS = (("030", "23125"), ("040", "66969"), ("069", "90009"), ("089", "99998"))  # drama numbers
#: how often a comment of these categories uses the topic's own phrases rather than the generic ones
_TOPIC_SHARE = {"frage": 0.75, "frist": 0.7, "beschwerde": 0.55, "lob": 0.3}
_MOBILE = ("0151", "0152", "0157", "0160", "0170", "0171", "0176")


@dataclass(frozen=True, slots=True)
class Topic:
    """One subject the town posts about, with the phrases citizens and the town use for it."""

    id: str
    label: str
    slug: str
    weight: float
    heat: float
    months: tuple[int, ...]
    everyday: bool
    slots: dict[str, list[str]]
    texts: dict[str, list[str]]  # titles, body, short, tags, frage, frist, beschwerde, lob, antwort, ...

    def in_season(self, month: int) -> bool:
        return not self.months or month in self.months


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("people", "topics", "comments", "replies"):
        raw = (DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        # one place for the town's web domain, so a renamed town links to its own site
        raw = raw.replace("{stadt}.de", "{domain}").replace("musterstadt.de", "{domain}")
        data[name] = yaml.load(raw, Loader=_LOADER)
    return data


def load_topics() -> dict[str, Topic]:
    topics = {}
    for key, spec in _load()["topics"]["topics"].items():
        texts = {k: list(v) for k, v in spec.items() if isinstance(v, list) and k != "months"}
        slots = dict(spec["slots"])
        for name in ("thing", "amt"):  # case forms for "für den neuen Radweg", "an das Tiefbauamt"
            forms = [declined(phrase) for phrase in slots[name]]
            slots[name], slots[f"{name}_akk"], slots[f"{name}_dat"] = ([f[i] for f in forms] for i in range(3))
        topics[key] = Topic(key, spec["label"], spec["slug"], float(spec.get("weight", 1.0)),
                            float(spec.get("heat", 1.0)), tuple(spec.get("months", ())),
                            bool(spec.get("everyday", False)), slots, texts)  # fmt: skip
    return topics


def date_phrase(at: datetime) -> str:
    """``"Samstag, 14. März"`` or ``"14.03."``: how a post names a date."""
    if at.day % 3 == 0:
        return f"{at.day:02d}.{at.month:02d}."
    return f"{WEEKDAY_NAMES[at.weekday()]}, {at.day}. {MONTH_NAMES[at.month - 1]}"


class TextBank:
    """Builds every text of the demo town; deterministic for the random generator it is handed."""

    def __init__(self, municipality: str, tz: ZoneInfo) -> None:
        data = _load()
        self.municipality = municipality
        self.domain = f"{ascii_slug(municipality)}.de"
        self.tz = tz
        self.people: dict[str, list[str]] = data["people"]
        self.topics = load_topics()
        self.comments: dict[str, Any] = data["comments"]
        self.replies: dict[str, Any] = data["replies"]
        self.everyday = [t for t in self.topics.values() if t.everyday]
        self.mix = {name: self._weights(name) for name in ("normal", "storm")}
        first_names = self.people["first_f"] + self.people["first_m"]
        self._rough = Roughener(self.comments["dialect"], self.comments["abbreviations"])
        self._base: dict[str, SlotValue] = {
            "stadt": municipality, "domain": self.domain, "street": self.people["streets"],
            "place": self.people["places"], "district": self.people["districts"], "weekday": WEEKDAY_NAMES[:6],
            "time": _TIMES, "n": lambda rng: str(rng.randint(10, 999)), **self.comments["slots"],
            "first": first_names,
            "last": self.people["last"], "phone": phone_number, "email": self._email, "iban": iban,
            "address": self._address, "nick": self._nick,
            "insult": self._hostile("insult"), "insults": self._hostile("insults"),
        }  # fmt: skip

    def _weights(self, name: str) -> tuple[list[str], list[float]]:
        table = self.comments["mix"][name]
        return list(CATEGORIES), [float(table[c]) for c in CATEGORIES]

    def category(self, rng: Random, storm: bool) -> str:
        names, weights = self.mix["storm" if storm else "normal"]
        return rng.choices(names, weights)[0]

    # -- slot helpers -------------------------------------------------------------------------
    def _hostile(self, slot: str) -> Callable[[Random], str]:
        words: list[str] = self.comments["slots"][slot]

        def pick(rng: Random) -> str:
            word = rng.choice(words)
            return obfuscate(word, rng) if rng.random() < 0.12 else word  # evasions of word filters

        return pick

    def _nick(self, rng: Random) -> str:
        return f"{rng.choice(self.people['nick_words'])}{rng.randint(1, 99)}"

    def _email(self, rng: Random) -> str:
        first = ascii_slug(rng.choice(self.people["first_m" if rng.random() < 0.5 else "first_f"]))
        last = ascii_slug(rng.choice(self.people["last"]))
        local = rng.choice((f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}.{last}"))
        return f"{local}@{rng.choice(('example.org', 'example.com', 'example.net'))}"

    def _address(self, rng: Random) -> str:
        street = f"{rng.choice(self.people['streets'])} {rng.randint(1, 120)}{rng.choice(('', '', '', 'a', 'b'))}"
        return street if rng.random() < 0.5 else f"{street}, 12345 {self.municipality}"

    def slots(self, topic: Topic, extra: Mapping[str, SlotValue] | None = None) -> dict[str, SlotValue]:
        return {**self._base, **topic.slots, "slug": topic.slug, **(extra or {})}

    # -- the town's posts ---------------------------------------------------------------------
    def post(self, rng: Random, topic: Topic, platform: str, at: datetime) -> tuple[str, str, str]:
        """(title, text, date phrase) of a post about ``topic`` on ``platform`` published at ``at``."""
        when = date_phrase((at + timedelta(days=rng.randint(2, 20))).astimezone(self.tz))
        # one street, one detour, one price for the whole post, so title and body agree
        slots = {k: v if isinstance(v, str) or callable(v) else rng.choice(v) for k, v in self.slots(topic).items()}
        slots["date"] = when

        def fill(template: str) -> str:
            return capitalise_sentences(expand(template, slots, rng))

        texts = topic.texts
        title = fill(rng.choice(texts["titles"]))
        tags = list(dict.fromkeys([*(fill(t) for t in texts["tags"]), f"#{ascii_slug(self.municipality).title()}"]))
        body = [fill(s) for s in sorted(rng.sample(texts["body"], k=min(len(texts["body"]), rng.randint(3, 5))),
                                        key=texts["body"].index)]  # fmt: skip
        link = f"https://www.{self.domain}/{topic.slug}"
        if platform == "rss":
            text = f"{title}\n\n{' '.join(body[:2])}\n\n{' '.join(body[2:])}\n\nWeitere Informationen: {link}"
        elif platform == "youtube":
            text = f"{title} | Stadt {self.municipality}\n\n{' '.join(body[:2])}\n\nMehr: {link}\n{' '.join(tags)}"
        elif platform == "facebook":
            text = f"{title}\n\n{' '.join(body[:rng.randint(2, 3)])}\n\n👉 Alle Infos: {link}\n{' '.join(tags[:2])}"
        elif platform == "instagram":
            text = f"{fill(rng.choice(texts['short']))}\n\n{' '.join(tags)}"
        else:  # mastodon, bluesky
            text = f"{fill(rng.choice(texts['short']))} {' '.join(tags[: rng.randint(1, 2)])}"
            if platform == "bluesky" and len(text) > 300:
                text = text[:299].rsplit(" ", 1)[0] + "…"
        return title, text, when

    # -- citizens -----------------------------------------------------------------------------
    def citizen(self, rng: Random, category: str, topic: Topic, author: Author, other: str,
                date: str) -> tuple[str, Topic]:  # fmt: skip
        """A citizen's comment of ``category`` under a post about ``topic``: (text, topic it is about)."""
        subject, prefix = topic, ""
        if category in ("frage", "frist", "beschwerde") and rng.random() < self.comments["offtopic_share"]:
            subject = rng.choice([t for t in self.everyday if t.id != topic.id] or [topic])
            prefix = rng.choice(self.comments["offtopic_prefix"]) if subject is not topic else ""
        if category == "spam" and rng.random() < self.comments["injection_share"]:
            return rng.choice(self.comments["injection"]), subject
        pool = subject.texts.get(category, [])
        if not pool or not (prefix or rng.random() < _TOPIC_SHARE.get(category, 0.0)):
            pool = self.comments["generic"][category]
        slots = self.slots(subject, {"other": other or rng.choice(self.people["first_f"]), "date": date})
        text = expand(rng.choice(pool), slots, rng)
        group = self.comments["frame_groups"].get(category)
        if group and not prefix and rng.random() < self.comments["frame_share"]["opener"]:
            prefix = expand(rng.choice(self.comments["openers"][group]), slots, rng) + " "
        if prefix and not prefix.endswith((": ", ". ", "! ", "? ")):  # "Hallo, wann ..." / "OT: Wann ..."
            text = prefix + text[:1].lower() + text[1:]
        else:
            text = prefix + text[:1].upper() + text[1:]
        if group and rng.random() < self.comments["frame_share"]["closer"]:
            closer = expand(rng.choice(self.comments["closers"][group]), slots, rng)
            text = f"{text}{'' if text.endswith(('.', '!', '?')) else '.'} {closer}"
        return self._rough(text, author.style, self.comments["emoji"][category], rng), subject

    def followup(self, rng: Random, author: Author) -> tuple[str, str]:
        """A citizen's reaction to the town's answer: (text, category) – mostly thanks, sometimes not."""
        category = "lob" if rng.random() < 0.7 else "beschwerde"
        text = expand(rng.choice(self.comments["followup"][category]), self._base, rng)
        return self._rough(text, author.style, self.comments["emoji"][category], rng), category

    # -- the town's answers -------------------------------------------------------------------
    def answer(self, rng: Random, category: str, subject: Topic, to: Author, platform: str, date: str) -> str:
        """The town's reply to a citizen's item of ``category`` about ``subject``."""
        slots = self.slots(subject, {"date": date})
        answers = self.replies["answers"]
        if category in ("frage", "frist"):
            pool = subject.texts["antwort"] if rng.random() < 0.85 else answers["frage_allgemein"]
        elif category == "beschwerde":
            pool = subject.texts.get("antwort_beschwerde", []) + answers["beschwerde"]
        else:
            pool = answers[category]
        raw = expand(rng.choice(pool), slots, rng)
        body = capitalise_sentences(raw)
        initials = rng.choice(self.replies["initials"])
        short = platform in ("mastodon", "bluesky", "instagram", "youtube")
        greeting = self._greeting(rng, to, platform)
        closing = expand(rng.choice(self.replies["closing"]["short" if short else "long"]),
                         {**slots, "initials": initials}, rng)  # fmt: skip
        if greeting.endswith(","):  # "Hallo Frau Schmidt, das Bürgerbüro ..." (templates start in lower case)
            body = raw[:1] + body[1:]
        return " ".join(part for part in (greeting, body, closing) if part)

    def _greeting(self, rng: Random, to: Author, platform: str) -> str:
        greet = self.replies["greeting"]
        if platform == "mastodon":
            return f"@{to.handle}"
        if to.gender and to.last and platform == "facebook" and rng.random() < 0.7:
            anrede = f"{'Frau' if to.gender == 'f' else 'Herr'} {to.last}"
            return expand(rng.choice(greet["formal"]), {"anrede": anrede, "r": "r" * (to.gender == "m")}, rng)
        if to.first and platform == "facebook":
            return expand(rng.choice(greet["first_name"]), {"first": to.first, "r": "r" * (to.gender == "m")}, rng)
        handle = to.handle if to.handle.startswith("@") else f"@{to.handle or to.name}"
        return expand(rng.choice(greet["handle"]), {"handle": handle}, rng)


def phone_number(rng: Random) -> str:
    """A fictitious German phone number (drama ranges of the Bundesnetzagentur, made-up mobile numbers)."""
    kind = rng.randrange(4)
    if kind == 0:
        area, block = rng.choice(_PHONE_BLOCKS)
        return f"{area} {block}{rng.randint(0, 999):03d}"
    if kind == 1:
        return f"0123 456-{rng.randint(100, 999)}"
    prefix, rest = rng.choice(_MOBILE), f"2345{rng.randint(0, 9999):04d}"
    return rng.choice((f"{prefix} {rest}", f"{prefix}/{rest}", f"+49 {prefix[1:]} {rest}", f"{prefix}{rest}"))


def iban(rng: Random) -> str:
    """A German IBAN with valid check digits for a made-up bank code and account."""
    bban = f"{rng.randint(30_000_000, 39_999_999)}{rng.randint(0, 10**10 - 1):010d}"
    check = 98 - int(bban + "131400") % 97  # "DE" -> 13 14, plus "00"
    value = f"DE{check:02d}{bban}"
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if rng.random() < 0.7 else value


def weighted_topic(rng: Random, topics: Sequence[Topic], month: int, avoid: str | None) -> Topic:
    """A topic for a regular post: in season, weighted, not the same as the channel's last one."""
    pool = [t for t in topics if t.weight > 0 and t.in_season(month) and t.id != avoid]
    return rng.choices(pool, [t.weight for t in pool])[0]
