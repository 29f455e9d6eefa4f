"""Checks on a submitted comment that need no database: required fields, lengths (in
characters, after trimming, WordPress's own limits), email syntax and URL scheme."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from gql.errors import Problem, UserErrorCode, unstorable

MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200
MAX_CONTENT = 65_525
MAX_CLIENT_MUTATION_ID = 255


@dataclass(frozen=True)
class CommentDraft:
    """The submitted fields, trimmed."""

    author_name: str
    author_email: str
    author_url: str | None
    content: str
    client_mutation_id: str | None


def normalized_email(email: str) -> str:
    """The email as stored and compared: the validator's normal form, or the trimmed text
    when it is not a valid address (nothing is stored then)."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return email.strip()


def _required(value: str, field: str, label: str, maximum: int) -> list[Problem]:
    if not value:
        return [Problem(field, UserErrorCode.REQUIRED, f"{label} is required.")]
    if len(value) > maximum:
        return [
            Problem(
                field,
                UserErrorCode.TOO_LONG,
                f"{label} is {len(value)} characters long; at most {maximum} are allowed.",
            )
        ]
    return []


def _url_problems(url: str | None) -> list[Problem]:
    if url is None or url == "":
        return []
    if len(url) > MAX_URL:
        return [
            Problem(
                "authorUrl",
                UserErrorCode.TOO_LONG,
                f"Website is {len(url)} characters long; at most {MAX_URL} are allowed.",
            )
        ]
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid or any(c.isspace() or ord(c) < 32 for c in url):
        return [
            Problem(
                "authorUrl",
                UserErrorCode.INVALID_URL,
                "Website must be an http:// or https:// address.",
            )
        ]
    return []


def _storable(draft: CommentDraft) -> list[Problem]:
    """No browser form sends a NUL character or a lone surrogate, and no database stores
    them: each field holding one is INVALID."""
    fields = (
        ("authorName", draft.author_name),
        ("authorEmail", draft.author_email),
        ("authorUrl", draft.author_url),
        ("content", draft.content),
        ("clientMutationId", draft.client_mutation_id),
    )
    problems = [(field, unstorable(value)) for field, value in fields]
    return [
        Problem(field, UserErrorCode.INVALID, f"{field} contains {problem}.")
        for field, problem in problems
        if problem
    ]


def check_draft(draft: CommentDraft) -> list[Problem]:
    """Every problem of the input at once, in the order of the form's fields."""
    refused = _storable(draft)
    if refused:
        return refused
    problems = _required(draft.author_name, "authorName", "Name", MAX_NAME)
    email_problems = _required(draft.author_email, "authorEmail", "Email", MAX_EMAIL)
    if not email_problems:
        try:
            validate_email(draft.author_email, check_deliverability=False)
        except EmailNotValidError:
            email_problems = [
                Problem("authorEmail", UserErrorCode.INVALID_EMAIL, "Email is not a valid address.")
            ]
    problems += email_problems
    problems += _url_problems(draft.author_url)
    problems += _required(draft.content, "content", "Comment", MAX_CONTENT)
    if draft.client_mutation_id is not None and len(draft.client_mutation_id) > (
        MAX_CLIENT_MUTATION_ID
    ):
        problems.append(
            Problem(
                "clientMutationId",
                UserErrorCode.TOO_LONG,
                f"clientMutationId is limited to {MAX_CLIENT_MUTATION_ID} characters.",
            )
        )
    return problems
