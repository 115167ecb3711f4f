"""Facebook Page connector (Graph API): the page's own posts and every comment and reply under them.

Posts come from ``/{page-id}/posts``; comments from ``/{post-id}/comments?filter=stream``, which flattens
top-level comments and replies into one list where replies carry ``parent``. Each post inside the lookback
window is scanned completely so comments deleted upstream get marked. Write-back: reply, hide, delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from connectors import graph
from connectors.base import Stream, WriteResult
from connectors.errors import ConfigurationError, SourceFormatError
from connectors.parsing import as_int
from connectors.registry import register
from store.models import Item, ItemKind, ItemState

POST_FIELDS = "id,message,created_time,permalink_url,from,shares,reactions.summary(true),comments.summary(true)"
COMMENT_FIELDS = "id,message,created_time,from,parent,like_count,comment_count,is_hidden,permalink_url"


def parse_post(node: Mapping[str, Any], channel_id: str) -> Item:
    """One node of ``/{page-id}/posts`` as an :class:`Item`.

    ``/{page-id}/posts`` lists only what the page itself published, so every post is the town's own (even
    when ``from`` is absent or names the page by another id). A photo post without ``message`` has empty text.
    """
    external_id = node.get("id")
    if not isinstance(external_id, str) or not external_id:
        raise SourceFormatError("Facebook-Beitrag ohne 'id'")
    author_id, author_name = graph.author_of(node)
    shares = node.get("shares")
    return Item(
        channel_id=channel_id,
        external_id=external_id,
        kind=ItemKind.POST,
        created_at=graph.parse_time(node.get("created_time")),
        text=graph.text_of(node.get("message")),
        author_id=author_id,
        author_name=author_name,
        is_own_account=True,
        url=graph.text_of(node.get("permalink_url")),
        like_count=graph.summary_total(node.get("reactions")) or graph.summary_total(node.get("likes")),
        reply_count=graph.summary_total(node.get("comments")),
        share_count=as_int(shares.get("count")) if isinstance(shares, Mapping) else 0,
        raw=dict(node),
    )


def permalink_ids(node: Mapping[str, Any], post_id: str) -> tuple[str, str | None] | None:
    """(comment id, parent comment id) read from a comment's ``permalink_url``, None when it names no comment.

    Graph comment ids are ``<post object id>_<comment fbid>``; the permalink carries the fbids as
    ``?comment_id=<fbid>`` and, for a reply, ``&reply_comment_id=<reply fbid>`` (``comment_id`` then names the
    parent). Recorded ``filter=stream`` pages come without ``id`` and ``parent`` when those fields were not
    granted, so this is how such a comment keeps a stable key and its place in the thread.
    """
    url = node.get("permalink_url")
    if not isinstance(url, str):
        return None
    query = dict(parse_qsl(urlsplit(url).query))
    comment, reply = query.get("comment_id", ""), query.get("reply_comment_id", "")
    if not comment.isdigit() or (reply and not reply.isdigit()):
        return None
    prefix = post_id.rpartition("_")[2]
    return (f"{prefix}_{reply}", f"{prefix}_{comment}") if reply else (f"{prefix}_{comment}", None)


def comment_id(node: Mapping[str, Any], post_id: str) -> str | None:
    """A comment's id: ``id``, else the one its permalink names."""
    external_id = node.get("id")
    if isinstance(external_id, str) and external_id:
        return external_id
    derived = permalink_ids(node, post_id)
    return derived[0] if derived else None


def parse_comment(node: Mapping[str, Any], channel_id: str, post_id: str, own: graph.OwnAccount) -> Item:
    """One node of ``/{post-id}/comments?filter=stream`` as an :class:`Item` (a reply when it has ``parent``).

    Without ``from`` (the Graph API withholds it for users who have not authorised the app) the author is
    unknown and never counted as the town's own account. Without ``id``/``parent`` both come from the permalink.
    """
    external_id = comment_id(node, post_id)
    if external_id is None:
        raise SourceFormatError("Facebook-Kommentar ohne 'id'")
    parent = node.get("parent")
    parent_id = parent.get("id") if isinstance(parent, Mapping) else None
    if not isinstance(parent_id, str) or not parent_id:
        derived = permalink_ids(node, post_id)
        parent_id = derived[1] if derived and derived[0] == external_id else None
    is_reply = isinstance(parent_id, str) and bool(parent_id) and parent_id != post_id
    author_id, author_name = graph.author_of(node)
    return Item(
        channel_id=channel_id,
        external_id=external_id,
        kind=ItemKind.REPLY if is_reply else ItemKind.COMMENT,
        created_at=graph.parse_time(node.get("created_time")),
        text=graph.text_of(node.get("message")),
        author_id=author_id,
        author_name=author_name,
        is_own_account=own.is_own(author_id),
        parent_external_id=parent_id if is_reply else post_id,
        thread_root_external_id=post_id,
        url=graph.text_of(node.get("permalink_url")),
        like_count=as_int(node.get("like_count")),
        reply_count=as_int(node.get("comment_count")),
        state=ItemState.HIDDEN if node.get("is_hidden") is True else ItemState.VISIBLE,
        raw=dict(node),
    )


def parse_posts_page(payload: object, channel_id: str, notes: list[str] | None = None) -> list[Item]:
    """Every well-formed post of one ``/posts`` page; malformed nodes are skipped with a warning (into ``notes``)."""
    items: list[Item] = []
    for node in graph.data_of(payload):
        try:
            items.append(parse_post(node, channel_id))
        except SourceFormatError as exc:
            graph.skipped(notes, channel_id, "Facebook-Beitrag", node, exc.message)
    return items


def parse_comments_page(payload: object, channel_id: str, post_id: str, own: graph.OwnAccount,
                        notes: list[str] | None = None) -> list[Item]:
    """Every well-formed comment/reply of one ``/comments`` page; malformed nodes are skipped with a warning."""
    items: list[Item] = []
    for node in graph.data_of(payload):
        try:
            items.append(parse_comment(node, channel_id, post_id, own))
        except SourceFormatError as exc:
            graph.skipped(notes, channel_id, f"Facebook-Kommentar unter {post_id}:", node, exc.message,
                          comment_id(node, post_id))
    return items


# --- streams and write-back ----------------------------------------------------------------------

PAGE_SIZE = 100  # channel option ``page_size`` overrides


@register
class FacebookConnector(graph.GraphConnector):
    """A Facebook Page: posts, comments (replies flattened), reply/hide/delete with the page token."""

    platform: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook"
    hide_field: ClassVar[str] = "is_hidden"  # only the comment's author and their friends still see it

    def streams(self) -> list[Stream]:
        page_id, channel = self.channel.account_id, self.channel
        if not page_id:
            raise ConfigurationError("Facebook: account_id (die ID der Seite) fehlt in channels.yaml")
        own = graph.own_account(page_id, channel.own_account_ids)
        limit = graph.page_size(channel, PAGE_SIZE)

        def comments(post_id: str, payload: object, notes: list[str]) -> tuple[list[Item], set[str]]:
            # malformed nodes exist upstream too: their ids count as seen, so a stored copy is not marked deleted
            ids = {cid for n in graph.data_of(payload) if (cid := comment_id(n, post_id))}
            return parse_comments_page(payload, channel.id, post_id, own, notes), ids

        return [
            graph.OwnPostsStream(self.api, f"{graph.object_id(page_id)}/posts", {"fields": POST_FIELDS, "limit": limit},
                                 lambda payload, notes: parse_posts_page(payload, channel.id, notes), send_since=True),
            graph.ThreadScanStream(self.api, "comments", {"fields": COMMENT_FIELDS, "filter": "stream",
                                                          "order": "chronological", "limit": limit}, comments),
        ]

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Comment on a post or answer a comment as the page (``POST /{id}/comments``)."""
        answer = self.api.post(f"{graph.object_id(parent_external_id)}/comments", {"message": text})
        return graph.write_result(answer)
