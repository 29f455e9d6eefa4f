"""Checks of authoring inputs (categories, authors): each returns the problems of one field,
named as in the schema, so a mutation reports every problem of its input at once."""

from __future__ import annotations

from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from gql.errors import Problem, UserErrorCode, unstorable


def text_problems(
    field: str, value: str | None, *, maximum: int, required: bool = False
) -> list[Problem]:
    """A text field: storable, present when required, at most `maximum` characters."""
    if value is None:
        return [Problem(field, UserErrorCode.REQUIRED, f"{field} is required.")] if required else []
    problem = unstorable(value)
    if problem:
        return [Problem(field, UserErrorCode.INVALID, f"{field} contains {problem}.")]
    if required and not value.strip():
        return [Problem(field, UserErrorCode.REQUIRED, f"{field} is required.")]
    if len(value) > maximum:
        return [Problem(field, UserErrorCode.TOO_LONG, f"At most {maximum} characters.")]
    return []


def url_problems(field: str, value: str | None, *, maximum: int = 500) -> list[Problem]:
    """An optional http(s) address."""
    if not value:
        return []
    problems = text_problems(field, value, maximum=maximum)
    if problems:
        return problems
    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid or any(c.isspace() for c in value):
        return [Problem(field, UserErrorCode.INVALID_URL, "Not an http:// or https:// address.")]
    return []


def email_problems(field: str, value: str | None) -> list[Problem]:
    """An optional email address, checked by syntax only."""
    if not value:
        return []
    problems = text_problems(field, value, maximum=254)
    if problems:
        return problems
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return [Problem(field, UserErrorCode.INVALID_EMAIL, "Not an email address.")]
    return []
