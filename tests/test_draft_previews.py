"""An editor sends a draft's front-end preview link; whoever opens it sees that one post as
it is now, through the same `post(...)` query the front end uses, and nobody else sees it:
not the public, not a cache, not with a token for another post or an old one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import models
from gql.comments.preview import COMMENT_PREVIEW
from gql.core.ids import to_global_id
from gql.core.previews import NODE_PREVIEW
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import TEST_SECRET_KEY, app_client, graphql

LINK = """
mutation($id: ID!) {
  createPreviewLink(input: {id: $id}) { url previewToken expiresAt errors { field code } }
}
"""
BY_ID = "query($id: ID, $t: String) { post(id: $id, previewToken: $t) { title status } }"
BY_URI = "query($uri: String, $t: String) { post(uri: $uri, previewToken: $t) { title } }"
BY_SLUG = "query($slug: String, $t: String) { post(slug: $slug, previewToken: $t) { title } }"


async def _token(role: models.Role) -> dict[str, str]:
    _, secret = await create_token(f"the {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


async def _draft(slug: str = "tempo-runs") -> models.Post:
    writer = await factories.author()
    return await factories.post(
        writer, title="Tempo runs", slug=slug, status=models.PostStatus.DRAFT, published_at=None
    )


async def test_a_preview_link_opens_one_draft_for_its_holder(db: str) -> None:
    draft = await _draft()
    draft_id = to_global_id("Post", draft.id)
    editor = await _token(models.Role.EDITOR)
    env = {"THREADPRESS_SITE_URL": "https://blog.example.org", "THREADPRESS_RESPONSE_CACHE": "on"}

    async with app_client(db, env) as http:
        made = await graphql(http, LINK, {"id": draft_id}, editor)
        link = made["data"]["createPreviewLink"]
        token = link["previewToken"]
        by_id = await graphql(http, BY_ID, {"id": draft_id, "t": token})
        by_uri = await graphql(http, BY_URI, {"uri": draft.uri, "t": token})
        by_slug = await graphql(http, BY_SLUG, {"slug": draft.slug, "t": token})
        variables = json.dumps({"id": draft_id, "t": token})
        as_get = await http.get("/graphql", params={"query": BY_ID, "variables": variables})
        without = await graphql(http, BY_ID, {"id": draft_id})
        draft.title = "Tempo runs, rewritten"
        await draft.save()
        again = await graphql(http, BY_ID, {"id": draft_id, "t": token})

    assert link["errors"] == []
    url = urlsplit(link["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"https://blog.example.org{draft.uri}"
    assert parse_qs(url.query) == {"preview": [token]}
    expires = datetime.fromisoformat(link["expiresAt"])
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(days=1)
    for answer in (by_uri, by_slug):
        assert answer["data"] == {"post": {"title": "Tempo runs"}}
    assert by_id["data"]["post"] == {"title": "Tempo runs", "status": "DRAFT"}
    assert as_get.headers["cache-control"] == "private, no-store"
    assert as_get.json()["data"]["post"]["status"] == "DRAFT"
    assert without["data"]["post"] is None
    # The draft as it is now: the earlier answer was never cached.
    assert again["data"]["post"]["title"] == "Tempo runs, rewritten"


async def test_a_token_opens_nothing_else(db: str) -> None:
    draft = await _draft()
    other = await _draft("other-draft")
    draft_id = to_global_id("Post", draft.id)
    expired = NODE_PREVIEW.sign(
        TEST_SECRET_KEY, f"Post:{draft.id}", 60, now=datetime.now(UTC).timestamp() - 3600
    )
    tokens = {
        "for another post": NODE_PREVIEW.sign(TEST_SECRET_KEY, f"Post:{other.id}", 60),
        "expired": expired,
        "signed with another key": NODE_PREVIEW.sign("x" * 40, f"Post:{draft.id}", 60),
        "for a comment preview": COMMENT_PREVIEW.sign(TEST_SECRET_KEY, f"Post:{draft.id}", 60),
        "stretched": expired.replace(expired.split(".")[1], str(int(expired.split(".")[1]) + 7200)),
        "garbage": "Post:1.x.y",
        "empty": "",
    }

    async with app_client(db) as http:
        answers = {
            why: await graphql(http, BY_ID, {"id": draft_id, "t": token})
            for why, token in tokens.items()
        }

    for why, answer in answers.items():
        assert "errors" not in answer, why
        assert answer["data"]["post"] is None, why


async def test_only_editors_make_preview_links(db: str) -> None:
    draft = await _draft()
    comment = await factories.comment(draft)
    editor = await _token(models.Role.EDITOR)
    moderator = await _token(models.Role.MODERATOR)

    async with app_client(db) as http:
        anonymous = await graphql(http, LINK, {"id": to_global_id("Post", draft.id)})
        as_moderator = await graphql(http, LINK, {"id": to_global_id("Post", draft.id)}, moderator)
        malformed = await graphql(http, LINK, {"id": "not-an-id"}, editor)
        missing = await graphql(http, LINK, {"id": to_global_id("Post", draft.id + 99)}, editor)
        wrong_type = await graphql(http, LINK, {"id": to_global_id("Comment", comment.id)}, editor)

    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert as_moderator["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert malformed["data"]["createPreviewLink"]["errors"] == [{"field": "id", "code": "INVALID"}]
    assert missing["data"]["createPreviewLink"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert wrong_type["data"]["createPreviewLink"]["errors"] == [{"field": "id", "code": "INVALID"}]
