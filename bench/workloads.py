"""The workloads: the GraphQL documents sent to Threadpress and their PostGraphile
equivalents, as the exact request bodies the load generator sends.

The nested post page asks, at each nesting level, for exactly the most comments the data set
puts on that level (`dataset.FANOUT`: 100 top-level comments, then 10, 5, 3, 2, 1, 1, 1
replies), so it reads the whole thread while staying inside the server's default limits:
depth 18 of 24, cost about 141,000 of 200,000 (100 on every level would cost 10^16).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bench.dataset import FANOUT, Dataset
from gql.core.ids import to_global_id

PAGE_TOKEN = "__AFTER__"
"""Stands for the `after` cursor (a JSON string, or null) in paged request bodies."""

HOME_PAGE = """query HomePage {
  posts(first: 10) {
    nodes {
      title uri excerpt publishedAt
      author { name }
      categories { name }
      commentCount
    }
  }
}"""

PEER_HOME_PAGE = """query HomePage {
  allPosts(first: 10, orderBy: [PUBLISHED_AT_DESC, ID_DESC],
           condition: {status: "published", password: ""}) {
    nodes {
      title uri excerpt publishedAt
      authorByAuthorId { name }
      postCategoriesByPostId(orderBy: CATEGORY_ID_ASC) { nodes { categoryByCategoryId { name } } }
      commentsByPostId(condition: {isPublic: true}) { totalCount }
    }
  }
}"""

COMMENT_FIELDS = "id authorName content createdAt"
PEER_COMMENT_FIELDS = "nodeId authorName content createdAt"


def _thread(
    level: int, top: str, below: str, arguments: str = "", fields: str = COMMENT_FIELDS
) -> str:
    """The connection at `level` and every level below it, each with its `FANOUT` page size:
    `top` names the top-level connection, `below` the replies of a comment."""
    name = top if level == 0 else below
    inner = f" {_thread(level + 1, top, below, arguments)}" if level + 1 < len(FANOUT) else ""
    return f"{name}(first: {FANOUT[level]}{arguments}) {{ nodes {{ {COMMENT_FIELDS}{inner} }} }}"


def post_page_document() -> str:
    """The post page: the post and its whole thread, nested 8 levels deep."""
    return (
        "query PostPage($uri: String!) {\n  post(uri: $uri) {\n"
        "    title publishedAt author { name } categories { name } commentCount\n"
        f"    {_thread(0, 'comments', 'replies')}\n  }}\n}}"
    )


def peer_post_page_document() -> str:
    """The same post page in PostGraphile's generated schema: public comments in path order
    (oldest sibling first), top-level ones by `parentId: null`."""
    replies = _thread(
        1, "", "commentsByParentId", ", condition: {isPublic: true}, orderBy: PATH_ASC"
    )
    return (
        "query PostPage($uri: String!) {\n  postByUri(uri: $uri) {\n"
        "    title publishedAt authorByAuthorId { name }\n"
        "    postCategoriesByPostId(orderBy: CATEGORY_ID_ASC) "
        "{ nodes { categoryByCategoryId { name } } }\n"
        "    commentCount: commentsByPostId(condition: {isPublic: true}) { totalCount }\n"
        f"    commentsByPostId(first: {FANOUT[0]}, condition: {{parentId: null, isPublic: true}}, "
        f"orderBy: PATH_ASC) {{ nodes {{ {PEER_COMMENT_FIELDS} {replies} }} }}\n  }}\n}}"
    )


COMMENT_THREAD = """query Thread($uri: String!) {
  post(uri: $uri) {
    commentThread(first: 100) {
      pageInfo { hasNextPage endCursor }
      nodes { id depth parent { id } authorName content createdAt }
    }
  }
}"""

PEER_COMMENT_THREAD = """query Thread($uri: String!) {
  postByUri(uri: $uri) {
    commentsByPostId(first: 100, condition: {isPublic: true}, orderBy: PATH_ASC) {
      pageInfo { hasNextPage endCursor }
      nodes { nodeId depth commentByParentId { nodeId } authorName content createdAt }
    }
  }
}"""

BUILD_FETCH = """query Build($after: String) {
  posts(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id uri title content publishedAt updatedAt }
  }
}"""

PEER_BUILD_FETCH = """query Build($after: Cursor) {
  allPosts(first: 100, after: $after, orderBy: [PUBLISHED_AT_DESC, ID_DESC],
           condition: {status: "published", password: ""}) {
    pageInfo { hasNextPage endCursor }
    nodes { nodeId uri title content publishedAt updatedAt }
  }
}"""

SUBMIT_COMMENT = """mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    moderationStatus
    comment { id depth authorName content createdAt }
    errors { field code }
  }
}"""


@dataclass(frozen=True)
class Workload:
    """One workload: what Threadpress (and, where there is one, the peer) is sent."""

    key: str
    title: str
    body: bytes  # the request body; paged workloads hold PAGE_TOKEN where `after` goes
    peer_body: bytes | None
    paged: bool = False
    read: bool = True  # read workloads also run with the response cache on


def _body(query: str, variables: Mapping[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": dict(variables or {})}).encode()


def _paged_body(query: str) -> bytes:
    body = json.dumps({"query": query, "variables": {"after": None}}).encode()
    return body.replace(b'"after": null', b'"after": ' + PAGE_TOKEN.encode())


def page_body(template: bytes, cursor: str | None) -> bytes:
    """A paged body for `cursor` (the same substitution the wrk script makes)."""
    value = "null" if cursor is None else json.dumps(cursor)
    return template.replace(PAGE_TOKEN.encode(), value.encode())


def all_workloads(data: Dataset) -> dict[str, Workload]:
    """Every workload on `data`, by key."""
    uri = {"uri": data.feature_post.uri}
    return {
        "home": Workload("home", "home page", _body(HOME_PAGE), _body(PEER_HOME_PAGE)),
        "post": Workload(
            "post",
            "post page (nested)",
            _body(post_page_document(), uri),
            _body(peer_post_page_document(), uri),
        ),
        "thread": Workload(
            "thread",
            "commentThread",
            _body(COMMENT_THREAD, uri),
            _body(PEER_COMMENT_THREAD, uri),
        ),
        "build": Workload(
            "build",
            "build fetch",
            _paged_body(BUILD_FETCH),
            _paged_body(PEER_BUILD_FETCH),
            paged=True,
        ),
        "submit": Workload(
            "submit",
            "submitComment",
            submit_body(data, 0),
            None,
            read=False,
        ),
    }


def submit_body(data: Dataset, n: int) -> bytes:
    """The `n`th distinct submission (the wrk script varies the email the same way)."""
    return _body(
        SUBMIT_COMMENT,
        {
            "input": {
                "postId": to_global_id("Post", data.submit_post.id),
                "authorName": "Bench Runner",
                "authorEmail": f"bench{n}@example.org",
                "content": "Lovely route. I ran it this morning\n\nand my legs agree.",
            }
        },
    )
