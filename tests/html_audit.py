"""What a browser could execute in stored comment HTML, and inputs made to smuggle it in:
shared by the sanitiser's own tests and the property tests over HTTP."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import strategies as st

from models.text.comment_html import COMMENT_ATTRIBUTES, COMMENT_TAGS

SAFE_URL = re.compile(r"(?i)(?:https?|mailto):")


class _Audit(HTMLParser):
    """Collects what a browser would find dangerous in a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in COMMENT_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = COMMENT_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "cite"} and not SAFE_URL.match(value or ""):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "a" and name == "rel" and value != "nofollow ugc":
                self.problems.append(f"rel={value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")


def audit(markup: str) -> list[str]:
    """Everything in `markup` a browser could run or that breaks our allow-list."""
    parser = _Audit()
    parser.feed(markup)
    parser.close()
    return parser.problems


# Pieces that meet in awkward ways: tags cut in half, breaks inside and around elements,
# URL attributes, raw-text elements, comments, entities.
FRAGMENTS = [
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<a href='https://ok.test/?q=1&x=2'>",
    "<a href=javascript:alert(1)>",
    "</a>",
    "<blockquote cite='https://ok.test'>",
    "</blockquote>",
    "<q cite='jav&#x09;ascript:x'>",
    "</q>",
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "\t",
    "x",
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&#106;",
    "<",
    ">",
    '"',
    "'",
    "=",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<noscript>",
    "<textarea>",
    "<svg>",
    "<math>",
    "<img src=x onerror=alert(1)>",
    "<abbr title='",
    "onclick=",
]

comments = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.text(max_size=200),
)
