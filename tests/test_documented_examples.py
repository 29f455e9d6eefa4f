"""Every GraphQL example a newcomer is shown (README, GraphiQL's tabs) works on the demo
site as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    visit,
)

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.http.graphiql import EXAMPLE_MUTATION, EXAMPLE_MUTATION_VARIABLES, EXAMPLE_QUERY
from tests.conftest import app_client
from threadpress.demo import load_demo

README = Path(__file__).resolve().parents[1] / "README.md"
SCHEMA = README.with_name("schema.graphql")
README_EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
README_DOCUMENTS = re.findall(
    r"```graphql(?:-subscription)?\n(.*?)```", README.read_text(encoding="utf-8"), re.S
)
NO_LIMITS = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "100/minute"}


async def _run(
    http: httpx.AsyncClient,
    document: str,
    variables: object = None,
    headers: dict[str, str] | None = None,
) -> dict:  # type: ignore[type-arg]
    response = await http.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    assert "errors" not in body, body
    return body


MODERATOR_FIELDS = ("moderationQueue", "moderateComment", "exportCommenter", "eraseCommenter")
EDITOR_FIELDS = (
    "createPost",
    "updatePost",
    "publishPost",
    "unpublishPost",
    "deletePost",
    "createPage",
    "updatePage",
    "publishPage",
    "unpublishPage",
    "deletePage",
    "createMenu",
)
BUILDER_FIELDS = ("changes(",)


def _role_for(document: str) -> models.Role | None:
    """The token an example needs: the README says which role each field takes."""
    if any(field in document for field in MODERATOR_FIELDS):
        return models.Role.MODERATOR
    if any(field in document for field in EDITOR_FIELDS):
        return models.Role.EDITOR
    if any(field in document for field in BUILDER_FIELDS):
        return models.Role.BUILDER
    return None


def test_the_readme_shows_examples() -> None:
    assert len(README_EXAMPLES) >= 5


def _objects_without_id(document: str) -> list[str]:
    """Where `document` selects fields of an object that has an `id` without selecting it."""
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    types = TypeInfo(schema)
    missing: list[str] = []

    class Check(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            named = get_named_type(types.get_type())
            if node.selection_set is None or not isinstance(
                named, GraphQLObjectType | GraphQLInterfaceType
            ):
                return
            selected = {
                s.name.value for s in node.selection_set.selections if isinstance(s, FieldNode)
            }
            if "id" in named.fields and "id" not in selected:
                missing.append(f"{node.name.value}: {named.name}")

    visit(parse(document), TypeInfoVisitor(types, Check()))
    return missing


@pytest.mark.parametrize("document", README_DOCUMENTS, ids=lambda d: d.split("{")[0].strip())
def test_readme_examples_select_the_id_of_every_object_that_has_one(document: str) -> None:
    # Normalising caches (Apollo, urql's graphcache, Relay) key objects by `id`; without it an
    # object is stored inside its parent and graphcache warns (see "Client set-up").
    assert _objects_without_id(document) == []


@pytest.mark.parametrize("document", README_EXAMPLES, ids=lambda d: d.split("{")[0].strip())
async def test_readme_examples_run_on_the_demo_site(db: str, document: str) -> None:
    await load_demo(only_if_empty=False)

    headers: dict[str, str] = {}
    variables: dict[str, str] = {}
    role = _role_for(document)
    if role is not None:
        _, secret = await create_token(f"the README's {role.value}", role)
        headers["Authorization"] = f"Bearer {secret}"
    # The examples that act on something take any object of the demo site.
    if "$email: String!" in document:
        comment = await models.Comment.all().order_by("id").first()
        assert comment is not None
        variables["email"] = comment.author_email
    if "$author: ID!" in document:
        author = await models.Author.all().order_by("id").first()
        assert author is not None
        variables["author"] = to_global_id("Author", author.id)
    if "$id: ID!" in document and role is models.Role.MODERATOR:
        comment = await models.Comment.filter(is_public=True).order_by("id").first()
        assert comment is not None
        variables["id"] = to_global_id("Comment", comment.id)
    elif "$id: ID!" in document:
        post = await models.Post.all().order_by("id").first()
        assert post is not None
        variables["id"] = to_global_id("Post", post.id)

    async with app_client(db, NO_LIMITS) as http:
        body = await _run(http, document, variables, headers)

    assert all(value is not None for value in body["data"].values()), body  # found something
    if "submitComment" in document:
        assert body["data"]["submitComment"]["errors"] == []


async def test_graphiql_examples_run_on_the_demo_site(db: str) -> None:
    await load_demo(only_if_empty=False)

    async with app_client(db, NO_LIMITS) as http:
        query = await _run(http, EXAMPLE_QUERY)
        mutation = await _run(http, EXAMPLE_MUTATION, json.loads(EXAMPLE_MUTATION_VARIABLES))

    [post] = query["data"]["posts"]["nodes"]
    assert post["comments"]["totalCount"] > 0
    assert post["comments"]["nodes"][0]["replies"]["nodes"]
    assert mutation["data"]["submitComment"]["errors"] == []
    assert mutation["data"]["submitComment"]["comment"]["authorName"] == "Jo Runner"
