"""Instagram connector (Graph API, professional account): the account's media and the comments under them.

Media come from ``/{ig-user-id}/media``; comments from ``/{media-id}/comments`` with the replies expanded
(Instagram threads are one level deep; ``/{comment-id}/replies`` fetches the rest when the expansion is
paged). Every media inside the lookback window is scanned completely so deleted comments get marked.
Write-back: reply (to top-level comments), hide, delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from connectors import graph
from connectors.base import Stream, WriteResult
from connectors.errors import ConfigurationError, SourceFormatError
from connectors.graph_errors import next_page_params
from connectors.parsing import as_int
from connectors.registry import register
from store.models import Item, ItemKind, ItemState

MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count,like_count,media_type,username"
REPLY_FIELDS = "id,text,timestamp,username,from,like_count,hidden,parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from,like_count,hidden,parent_id,replies{{{REPLY_FIELDS}}}"


def _author(node: Mapping[str, Any]) -> tuple[str, str]:
    """(id, username): ``from`` (since Oct 2021) first, else the older ``user{id}`` and top-level ``username``."""
    author_id, name = graph.author_of(node)
    if not author_id:
        user = node.get("user")
        user_id = user.get("id") if isinstance(user, Mapping) else None
        author_id = str(user_id) if isinstance(user_id, str | int) and not isinstance(user_id, bool) else ""
    username = node.get("username")
    return author_id, name or (username if isinstance(username, str) else "")


def parse_media(node: Mapping[str, Any], channel_id: str, account_id: str) -> Item:
    """One node of ``/{ig-user-id}/media`` as the account's own post (a reel without caption has empty text)."""
    external_id = node.get("id")
    if not isinstance(external_id, str) or not external_id:
        raise SourceFormatError("Instagram-Beitrag ohne 'id'")
    username = node.get("username")
    return Item(
        channel_id=channel_id,
        external_id=external_id,
        kind=ItemKind.POST,
        created_at=graph.parse_time(node.get("timestamp")),
        text=graph.text_of(node.get("caption")),
        author_id=account_id,
        author_name=username if isinstance(username, str) else "",
        is_own_account=True,  # /{ig-user-id}/media lists only the account's own media
        url=graph.text_of(node.get("permalink")),
        like_count=as_int(node.get("like_count")),
        reply_count=as_int(node.get("comments_count")),
        raw=dict(node),
    )


def parse_comment(
    node: Mapping[str, Any], channel_id: str, media_id: str, own: graph.OwnAccount, parent_id: str | None = None
) -> Item:
    """One IG comment as an :class:`Item`; a reply when it has ``parent_id`` (or ``parent_id`` is given).

    The raw node is kept without its expanded ``replies`` (they become items of their own).
    """
    external_id = node.get("id")
    if not isinstance(external_id, str) or not external_id:
        raise SourceFormatError("Instagram-Kommentar ohne 'id'")
    node_parent = node.get("parent_id")
    parent = node_parent if isinstance(node_parent, str) and node_parent else parent_id
    author_id, author_name = _author(node)
    replies = node.get("replies")
    reply_nodes = replies.get("data") if isinstance(replies, Mapping) else None
    return Item(
        channel_id=channel_id,
        external_id=external_id,
        kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
        created_at=graph.parse_time(node.get("timestamp")),
        text=graph.text_of(node.get("text")),
        author_id=author_id,
        author_name=author_name,
        is_own_account=own.is_own(author_id, author_name),
        parent_external_id=parent or media_id,
        thread_root_external_id=media_id,
        like_count=as_int(node.get("like_count")),
        reply_count=len(reply_nodes) if isinstance(reply_nodes, list) else 0,
        state=ItemState.HIDDEN if node.get("hidden") is True else ItemState.VISIBLE,
        raw={k: v for k, v in node.items() if k != "replies"},
    )


def expanded_replies(node: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The replies expanded inside a comment node and whether more pages exist (fetch ``/replies`` then)."""
    replies = node.get("replies")
    if not isinstance(replies, Mapping):
        return [], False
    data = replies.get("data")
    nodes = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
    return nodes, next_page_params(replies) is not None


def parse_media_page(payload: object, channel_id: str, account_id: str, notes: list[str] | None = None) -> list[Item]:
    """Every well-formed media of one ``/media`` page; malformed nodes are skipped with a warning (into ``notes``)."""
    items: list[Item] = []
    for node in graph.data_of(payload):
        try:
            items.append(parse_media(node, channel_id, account_id))
        except SourceFormatError as exc:
            graph.skipped(notes, channel_id, "Instagram-Beitrag", node, exc.message)
    return items


def parse_comment_nodes(
    nodes: list[dict[str, Any]], channel_id: str, media_id: str, own: graph.OwnAccount, parent_id: str | None = None,
    notes: list[str] | None = None,
) -> list[Item]:
    """Comments (and their expanded replies, right after each) as items; malformed nodes are skipped with a
    warning (a malformed comment's replies with it: their parent is unknown)."""
    items: list[Item] = []
    for node in nodes:
        try:
            items.append(parse_comment(node, channel_id, media_id, own, parent_id))
        except SourceFormatError as exc:
            graph.skipped(notes, channel_id, f"Instagram-Kommentar unter {media_id}:", node, exc.message)
            continue
        if parent_id is None:
            replies, _more = expanded_replies(node)
            items.extend(parse_comment_nodes(replies, channel_id, media_id, own, items[-1].external_id, notes))
    return items


# --- streams and write-back ----------------------------------------------------------------------

PAGE_SIZE = 50  # channel option ``page_size`` overrides
MAX_REPLY_PAGES = 20  # replies are one level deep; a comment with more than 1,000 answers is an anomaly


def _all_replies(api: graph.GraphApi, node: dict[str, Any], limit: str) -> dict[str, Any]:
    """``node`` with every reply, fetched from ``/{comment-id}/replies`` when the expansion was paged."""
    _first, more = expanded_replies(node)
    if not more or not isinstance(node.get("id"), str):
        return node
    path = f"{graph.object_id(node['id'])}/replies"
    pages = api.listing(path, {"fields": REPLY_FIELDS, "limit": limit}, max_pages=MAX_REPLY_PAGES)
    return {**node, "replies": {"data": [r for payload, _ in pages for r in graph.data_of(payload)]}}


def _ids(nodes: list[dict[str, Any]]) -> set[str]:
    """The ids of comments and their replies, malformed ones included (they exist upstream)."""
    found = {str(n["id"]) for n in nodes if n.get("id")}
    for node in nodes:
        found.update(str(r["id"]) for r in expanded_replies(node)[0] if r.get("id"))
    return found


@register
class InstagramConnector(graph.GraphConnector):
    """An Instagram professional account: media, comments with replies, reply/hide/delete."""

    platform: ClassVar[str] = "instagram"
    label: ClassVar[str] = "Instagram"
    hide_field: ClassVar[str] = "hide"

    def streams(self) -> list[Stream]:
        account_id, channel = self.channel.account_id, self.channel
        if not account_id:
            raise ConfigurationError("Instagram: account_id (die ID des Instagram-Kontos) fehlt in channels.yaml")
        own = graph.own_account(account_id, channel.own_account_ids,
                                [channel.handle, str(channel.options.get("username", ""))])
        limit = graph.page_size(channel, PAGE_SIZE)

        def comments(media_id: str, payload: object, notes: list[str]) -> tuple[list[Item], set[str]]:
            nodes = [_all_replies(self.api, node, limit) for node in graph.data_of(payload)]
            return parse_comment_nodes(nodes, channel.id, media_id, own, notes=notes), _ids(nodes)

        return [
            # the media edge knows no 'since': the stream stops at the first media older than the bound
            graph.OwnPostsStream(self.api, f"{graph.object_id(account_id)}/media",
                                 {"fields": MEDIA_FIELDS, "limit": limit},
                                 lambda payload, notes: parse_media_page(payload, channel.id, account_id, notes),
                                 send_since=False),
            graph.ThreadScanStream(self.api, "comments", {"fields": COMMENT_FIELDS, "limit": limit}, comments),
        ]

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Answer a comment (``POST /{comment-id}/replies``); Instagram files answers to a reply under its
        top-level comment."""
        return graph.write_result(self.api.post(f"{graph.object_id(parent_external_id)}/replies", {"message": text}))
