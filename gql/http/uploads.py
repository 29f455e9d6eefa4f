"""Which multipart requests (file uploads, the GraphQL multipart request spec) may reach the
view, decided from their headers alone, before a byte of the body is read.

A browser sends `multipart/form-data` cross-site from any page's form, with the user's
cookies and no CORS preflight; so a multipart request is let in only when it also carries a
non-empty `Apollo-Require-Preflight` or `GraphQL-Preflight` header (what Apollo Server and
GraphQL Yoga ask for: no form can set a header, and a script that does gets a preflight,
which CORS refuses for origins not listed) and an editor's API token. Without the header it
is the 415 every non-JSON POST gets; with it, a missing or dead token is 401 and another
role's is 403, so an anonymous 20 MB body is never read, let alone spooled.
"""

from __future__ import annotations

from starlette.datastructures import Headers

from gql.core.permissions import Permission
from gql.core.tokens import Unauthenticated, viewer_of

PREFLIGHT_HEADERS = ("apollo-require-preflight", "graphql-preflight")
MULTIPART = "multipart/form-data"


def is_multipart(content_type: str | None) -> bool:
    """Whether a `Content-Type` is `multipart/form-data` (with its boundary)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == MULTIPART


def preflighted(headers: Headers) -> bool:
    """Whether the request carries a header no cross-site form can send."""
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


async def upload_refusal(headers: Headers) -> tuple[int, str] | None:
    """Why a preflighted multipart request may not upload (status, message); None when its
    token is an editor's."""
    try:
        viewer = await viewer_of(headers.get("authorization"))
    except Unauthenticated as error:
        return 401, error.message
    if viewer is None:
        return 401, "Uploads need an editor's API token."
    if Permission.WRITE_CONTENT not in viewer.permissions:
        return 403, "Uploads need an editor's API token."
    return None


__all__ = ["PREFLIGHT_HEADERS", "is_multipart", "preflighted", "upload_refusal"]
