"""The demo municipality's truth: every post, comment and reply on its channels over the last weeks.

:func:`build_world` is pure and deterministic for its arguments; the CLI stores the result (or serves it
through fake platform APIs) so the dashboard has something realistic to show without any network.
Each citizen item carries its ground truth in ``raw["demo"]`` (category, topic) for evaluation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random

from dashboard.demo.cadence import Plan, make_plan, post_times
from dashboard.demo.platforms import PLATFORMS, Author, Platform, Ref, ascii_slug
from dashboard.demo.texts import TextBank, Topic, weighted_topic
from dashboard.demo.timing import (
    StaffedClock,
    answer_time,
    comment_delay,
    evening_weighted,
    reply_delay,
    storm_delay,
)
from store.config import ChannelConfig, Policy, StaffedHours
from store.models import Item, ItemKind

STORM_TOPIC = "parkgebuehren"


@dataclass(frozen=True, slots=True)
class Profile:
    """How citizens use one platform, at scale 1.0."""

    comments_per_post: float  # mean top-level comments under an ordinary post
    replies_per_comment: float  # mean citizen replies to a comment
    nested: bool  # replies may answer replies (else flattened to the top-level comment)
    authors: int  # size of the commenting population
    storm_comments: float  # extra angry comments under the controversial post
    share_rate: float  # shares / likes of a post
    mention: float  # how often a reply starts with the parent's @name


PROFILES: dict[str, Profile] = {
    "facebook": Profile(145, 0.5, False, 3000, 1500, 0.12, 0.3),
    "instagram": Profile(72, 0.25, False, 1800, 350, 0.0, 0.6),
    "mastodon": Profile(14, 0.45, True, 500, 120, 0.3, 1.0),
    "bluesky": Profile(13, 0.45, True, 500, 120, 0.25, 0.25),
    "youtube": Profile(190, 0.3, False, 1500, 0, 0.0, 0.5),
}


def build_world(channels: Sequence[ChannelConfig], *, end: datetime, days: int = 90, seed: int = 2026,
                scale: float = 1.0, municipality: str = "Musterstadt",
                policy: Policy | None = None) -> dict[str, list[Item]]:  # fmt: skip
    """The demo town's truth: per channel id, every post, comment and reply (citizens' and the town's own).

    Deterministic for (channels, end, days, seed, scale). ``scale`` shrinks or grows the number of citizen
    comments (posts follow the channels' cadence regardless); tests use 0.02. ``policy`` supplies the
    staffed hours and holidays that shape the town's response times (default: Mon–Fri office hours, NW).
    Items of a channel are sorted by creation time, so every parent precedes its replies.
    """
    if end.tzinfo is None:
        raise ValueError("end muss eine Zeitzone haben (UTC)")
    if days < 1 or scale < 0:
        raise ValueError("days muss mindestens 1 sein und scale darf nicht negativ sein")
    end = end.astimezone(UTC)
    clock = (StaffedClock(policy.staffed_hours, policy.land, policy.timezone) if policy
             else StaffedClock(StaffedHours()))  # fmt: skip
    plan = make_plan(Random(f"{seed}:plan"), end - timedelta(days=days), end, clock.tz)
    bank = TextBank(municipality, clock.tz)
    return {
        ch.id: _ChannelWorld(ch, Random(f"{seed}:{ch.id}"), plan, bank, clock, scale).build()
        if ch.platform in PLATFORMS
        else []  # e.g. "export": nothing to make up
        for ch in channels
    }


def world_summary(world: Mapping[str, Sequence[Item]]) -> dict[str, dict[str, int]]:
    """Per channel: own posts, citizens' comments and replies, and the town's own replies."""
    summary = {}
    for channel_id, items in world.items():
        counts = {"posts": 0, "comments": 0, "replies": 0, "own_replies": 0}
        for item in items:
            if item.kind == ItemKind.POST:
                counts["posts"] += 1
            elif item.is_own_account:
                counts["own_replies"] += 1
            elif item.kind == ItemKind.COMMENT:
                counts["comments"] += 1
            else:
                counts["replies"] += 1
        summary[channel_id] = counts
    return summary


def _count(rng: Random, mean: float) -> int:
    """A Poisson-distributed count (normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass(slots=True)
class _Thread:
    """What every item under one post shares."""

    post: Ref
    topic: Topic
    date: str  # the date the post announces, for answers that refer to it
    storm: bool


class _ChannelWorld:
    """Builds one channel: its posts by cadence, citizens' comments and replies, the town's answers."""

    def __init__(self, channel: ChannelConfig, rng: Random, plan: Plan, bank: TextBank, clock: StaffedClock,
                 scale: float) -> None:  # fmt: skip
        self.channel = channel
        self.rng = rng
        self.plan = plan
        self.bank = bank
        self.clock = clock
        self.scale = scale
        self.profile = PROFILES.get(channel.platform)  # None: the press feed, posts only
        self.platform: Platform = PLATFORMS[channel.platform](channel, bank.municipality)
        self.own = self.platform.own_author()
        self.items: list[Item] = []
        self.children: Counter[str] = Counter()
        self.population: list[Author] = []

    def build(self) -> list[Item]:
        if self.profile:
            size = max(40, round(self.profile.authors * min(1.0, math.sqrt(self.scale))))
            self.population = [self._citizen() for _ in range(size)]
        last_topic: str | None = None
        topics = list(self.bank.topics.values())
        schedule = [(at, False) for at in post_times(self.rng, self.plan, self.channel.platform,
                                                      self.channel.posts_per_week)]  # fmt: skip
        if self.plan.storm_at is not None and self.channel.platform != "youtube":
            storm_at = self.plan.storm_at + timedelta(minutes=self.rng.randint(0, 25))
            if self.plan.start <= storm_at <= self.plan.end:
                schedule.append((storm_at, True))
        for at, storm in sorted(schedule):
            month = at.astimezone(self.clock.tz).month
            topic = self.bank.topics[STORM_TOPIC] if storm else weighted_topic(self.rng, topics, month, last_topic)
            last_topic = topic.id
            self._post(at, topic, storm)
        for item in self.items:
            item.reply_count = self.children[item.external_id]
        self.items.sort(key=lambda i: (i.created_at, i.external_id))
        return self.items

    # -- people -------------------------------------------------------------------------------
    def _citizen(self) -> Author:
        rng, people = self.rng, self.bank.people
        gender = rng.choice("fm")
        first = rng.choice(people["first_f" if gender == "f" else "first_m"])
        last = rng.choice(people["last"])
        styles = self.bank.comments["style_share"]
        style = rng.choices(list(styles), list(styles.values()))[0]
        a, b, yy = ascii_slug(first).replace("-", ""), ascii_slug(last).replace("-", ""), rng.randint(60, 99)
        word = rng.choice(people["nick_words"])
        nick = rng.choice((f"{a}.{b}", f"{a}{b[:1]}{yy}", f"{word}{rng.randint(1, 99)}", f"{word}_{a}",
                           f"{a}_{b}{yy % 10}", f"{a}{b}", f"die.{a}" if gender == "f" else f"der.{a}"))  # fmt: skip
        return self.platform.citizen(rng, first, last, gender, style, nick)

    def _someone(self) -> Author:
        """A commenter: a few regulars write much, most people once or twice."""
        return self.population[int(len(self.population) * self.rng.random() ** 2.2)]

    # -- items --------------------------------------------------------------------------------
    def _post(self, at: datetime, topic: Topic, storm: bool) -> None:
        rng = self.rng
        title, text, date = self.bank.post(rng, topic, self.channel.platform, at)
        ref = self.platform.post(rng, at, title)
        post = self._item(ref, ItemKind.POST, at, text, self.own, None, None,
                          {"topic": topic.id, "storm": storm, "title": title})  # fmt: skip
        if self.profile is None:  # the press feed has no comments
            return
        thread = _Thread(ref, topic, date, storm)
        popularity = rng.lognormvariate(-0.32, 0.8)
        mean = self.profile.comments_per_post * topic.heat * popularity * self.scale
        timings = [comment_delay] * _count(rng, mean)
        if storm:
            timings += [storm_delay] * _count(rng, self.profile.storm_comments * self.scale)
        for delay in timings:
            when = evening_weighted(rng, at, delay, self.clock.tz)
            if when <= self.plan.end:
                self._comment(thread, None, when, 0)
        likes = int((self.children[ref.external_id] + 5) * rng.uniform(1.5, 5))
        post.like_count = likes
        post.share_count = int(likes * self.profile.share_rate * rng.uniform(0.3, 1.5))

    def _comment(self, thread: _Thread, parent: tuple[Ref, Author, Ref] | None, at: datetime, depth: int) -> None:
        """A citizen's comment (``parent`` None) or reply; ``parent`` is (item, its author, thread head)."""
        assert self.profile is not None  # only channels with comments get here
        rng, profile = self.rng, self.profile
        author = self._someone()
        category = self.bank.category(rng, thread.storm and parent is None)
        text, subject = self.bank.citizen(rng, category, thread.topic, author,
                                          parent[1].first if parent else "", thread.date)  # fmt: skip
        if parent is not None and rng.random() < profile.mention:
            text = f"{self._mention(parent[1])} {text}"
        # flattened platforms (Facebook, Instagram, YouTube) attach every reply to the top-level comment
        head = None if parent is None else (parent[0] if profile.nested else parent[2])
        ref = self.platform.comment(rng, at, thread.post, head, author)
        kind = ItemKind.COMMENT if parent is None else ItemKind.REPLY
        item = self._item(ref, kind, at, text, author, head or thread.post, thread.post,
                          {"category": category, "topic": subject.id})  # fmt: skip
        likes = int(rng.paretovariate(1.4)) - 1
        item.like_count = min(likes * (3 if thread.storm and category in ("kritik", "beschwerde") else 1), 2500)
        top = ref if parent is None else parent[2]
        answered = answer_time(rng, self.clock, at, category)
        if answered is not None and answered <= self.plan.end:
            self._answer(thread, ref if profile.nested else top, author, category, subject, answered, ref)
        if depth > 0 and not profile.nested:
            return
        mean = profile.replies_per_comment * (0.45**depth) * rng.expovariate(1.0)
        for _ in range(_count(rng, mean)):
            when = evening_weighted(rng, at, reply_delay, self.clock.tz)
            if when <= self.plan.end:
                self._comment(thread, (ref, author, top), when, depth + 1)

    def _answer(self, thread: _Thread, head: Ref, to: Author, category: str, subject: Topic, at: datetime,
                answers: Ref) -> None:  # fmt: skip
        """The town's reply to the citizen item ``answers`` (attached under ``head``)."""
        text = self.bank.answer(self.rng, category, subject, to, self.channel.platform, thread.date)
        ref = self.platform.comment(self.rng, at, thread.post, head, self.own)
        item = self._item(ref, ItemKind.REPLY, at, text, self.own, head, thread.post,
                          {"answers": answers.external_id, "category": category})  # fmt: skip
        item.like_count = int(self.rng.paretovariate(2.0)) - 1
        if self.rng.random() < self.bank.comments["followup_share"]:
            self._followup(thread, ref if self.profile and self.profile.nested else head, to, at)

    def _followup(self, thread: _Thread, head: Ref, author: Author, answered_at: datetime) -> None:
        """The citizen reacts to the town's answer ("Danke für die schnelle Antwort!")."""
        at = evening_weighted(self.rng, answered_at, reply_delay, self.clock.tz)
        if at > self.plan.end:
            return
        text, category = self.bank.followup(self.rng, author)
        if self.channel.platform in ("mastodon", "instagram", "youtube"):
            text = f"{self._mention(self.own)} {text}"
        ref = self.platform.comment(self.rng, at, thread.post, head, author)
        self._item(ref, ItemKind.REPLY, at, text, author, head, thread.post,
                   {"category": category, "topic": thread.topic.id, "followup": True})  # fmt: skip

    def _mention(self, author: Author) -> str:
        if self.channel.platform == "facebook":
            return author.name
        if self.channel.platform == "mastodon":
            return "@" + author.handle.split("@")[0]
        return author.handle if author.handle.startswith("@") else f"@{author.handle}"

    def _item(self, ref: Ref, kind: ItemKind, at: datetime, text: str, author: Author, parent: Ref | None,
              root: Ref | None, truth: dict[str, object]) -> Item:  # fmt: skip
        item = Item(
            channel_id=self.channel.id, external_id=ref.external_id, kind=kind, created_at=at, text=text,
            author_id=author.id, author_name=author.name, is_own_account=author is self.own,
            parent_external_id=parent.external_id if parent else None,
            thread_root_external_id=root.external_id if root else None, url=ref.url, raw={"demo": truth},
        )
        if parent is not None:
            self.children[parent.external_id] += 1
        self.items.append(item)
        return item
