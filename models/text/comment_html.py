"""HTML for reader comments: what a comment form submits becomes safe HTML to store and serve.

Comments come from anyone, so they get WordPress's narrow comment allow-list (inline
formatting, links, quotes) rather than the editors' rich post allow-list in `content.py`, and
their plain line breaks become paragraphs the way WordPress's `wpautop` shows them.

Safety rests on nh3 (Rust's ammonia) alone: it parses like a browser and serialises a clean
tree, and it is the last thing every output goes through. The paragraph step in between only
rearranges that already clean tree and is never trusted to be safe by itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import Enum
from html.parser import HTMLParser

import nh3

from models.text.content import html_to_text

# WordPress's `$allowedtags` (kses), the list it applies to comments by readers without the
# `unfiltered_html` capability, plus `p` and `br` which only the paragraph step should produce
# (a reader may type them too; they then mean what a blank line and a newline mean).
COMMENT_TAGS = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "blockquote",
        "cite",
        "code",
        "del",
        "em",
        "i",
        "q",
        "s",
        "strike",
        "strong",
        "p",
        "br",
    }
)
COMMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "acronym": frozenset({"title"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"datetime"}),
}
COMMENT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# What search engines expect on links readers wrote (WordPress sets the same on comments).
COMMENT_LINK_REL = "nofollow ugc"

_URL_ATTRIBUTES = frozenset({"href", "cite"})
# Browsers drop leading and trailing C0 controls and spaces from a URL, and tabs and newlines
# anywhere in it, before they read the scheme: `jav&#x09;ascript:` runs as `javascript:`.
# The check below sees the URL the way a browser will.
_URL_EDGE_JUNK = "".join(chr(code) for code in range(0x21))
_URL_INNER_JUNK = re.compile(r"[\t\n\r]")
_SAFE_ABSOLUTE_URL = re.compile(r"(?i)(?:https?|mailto):")


def _safe_url(value: str) -> str | None:
    """`value` as a browser would read it, or None unless it is an absolute http, https or
    mailto URL.

    Relative URLs (`/path`, `#top`, `//host/path`) are dropped as well: a comment is shown on
    pages, feeds and e-mails with different bases, so a relative link has no single meaning,
    and an allow-list of absolute schemes is simpler to reason about than a deny-list.
    """
    url = _URL_INNER_JUNK.sub("", value.strip(_URL_EDGE_JUNK))
    return url if _SAFE_ABSOLUTE_URL.match(url) else None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """nh3 checks URL schemes on `href` only, not on `cite`: check both here."""
    if attribute in _URL_ATTRIBUTES:
        return _safe_url(value)
    return value


# One cleaner for both passes: the second pass must accept exactly what the first produced,
# which is what makes sanitising twice a no-op.
_CLEANER = nh3.Cleaner(
    tags=COMMENT_TAGS,
    clean_content_tags={"script", "style"},
    attributes=COMMENT_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=COMMENT_LINK_REL,
    url_schemes=COMMENT_URL_SCHEMES,
    url_relative="deny",
)

# A run of line breaks in text, with the spaces and tabs around it (they would only render as
# stray spaces at the start or end of a line). One newline is a line break, more a paragraph.
_BREAK_RUN = re.compile(r"[ \t\f]*\n[ \t\f\n]*")
_BLOCK_TAGS = frozenset({"blockquote"})


class _Break(Enum):
    LINE = "line"
    PARAGRAPH = "paragraph"


@dataclass
class _OpenElement:
    """An element open at the current point of the tree and, for inline ones, whether its start
    tag is already written into the current paragraph (it is written with the first text)."""

    name: str
    start_tag: str
    written: bool = False


class _ParagraphBuilder(HTMLParser):
    """Rewrites clean HTML so that its text sits in `<p>` paragraphs with `<br>` line breaks.

    It reads the tree that nh3 serialised, so tags are balanced and text has no raw `<`. It
    turns newlines, `<br>` and `<p>` into one kind of break each, then writes the text again:
    a paragraph break closes the inline elements open at that point and opens them again in
    the next paragraph (as browsers do), and a blockquote closes the paragraph around it and
    holds paragraphs of its own (inline elements around a blockquote are not carried into it:
    `<b>x<blockquote>y</blockquote></b>` quotes a plain `y`, which loses only formatting).
    Empty paragraphs and breaks at paragraph edges are dropped. Re-reading its own output
    gives the same breaks in the same places, so it is idempotent.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._open: list[_OpenElement] = []
        self._in_paragraph = False
        self._pending_break: _Break | None = None  # written only when more text follows
        self._after_br = False

    def build(self, clean_html: str) -> str:
        self.feed(clean_html)
        self.close()
        self._close_paragraph()
        return "".join(self._out).strip("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._add_break(_Break.LINE)
            self._after_br = True
            return
        if tag == "p":
            self._add_break(_Break.PARAGRAPH)
            return
        start_tag = (
            "<"
            + tag
            + "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
        )
        start_tag += ">"
        if tag in _BLOCK_TAGS:
            self._close_paragraph()
            self._out.append(start_tag + "\n")
            self._open.append(_OpenElement(tag, start_tag, written=True))
        else:
            self._open.append(_OpenElement(tag, start_tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._add_break(_Break.PARAGRAPH)
            return
        if not self._open or self._open[-1].name != tag:
            return  # nh3's output is balanced; a stray end tag is not ours to repair
        if tag in _BLOCK_TAGS:
            self._close_paragraph()
            self._open.pop()
            self._out.append(f"</{tag}>\n")
            return
        element = self._open.pop()
        if element.written:
            self._out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._after_br and data.startswith("\n"):
            data = data[1:]  # `<br>` and the newline written after it are one line break
        self._after_br = False
        position = 0
        for match in _BREAK_RUN.finditer(data):
            self._add_text(data[position : match.start()])
            newlines = match.group().count("\n")
            self._add_break(_Break.PARAGRAPH if newlines > 1 else _Break.LINE)
            position = match.end()
        self._add_text(data[position:])

    def _add_break(self, kind: _Break) -> None:
        self._after_br = False
        # Breaks before the first text of a paragraph mean nothing; two line breaks in a row
        # (`<br><br>`) are a paragraph break, as in `wpautop`; a paragraph break wins.
        if not self._in_paragraph:
            return
        if self._pending_break is not None:
            kind = _Break.PARAGRAPH
        self._pending_break = kind

    def _add_text(self, text: str) -> None:
        if not self._in_paragraph or self._pending_break is not None:
            text = text.lstrip(" \t\f")
        if not text:
            return
        if not self._in_paragraph:
            self._out.append("<p>")
            self._in_paragraph = True
        elif self._pending_break is _Break.PARAGRAPH:
            self._close_inline()
            self._out.append("</p>\n<p>")
        elif self._pending_break is _Break.LINE:
            self._out.append("<br>\n")
        self._pending_break = None
        for element in self._inline_elements():
            if not element.written:
                self._out.append(element.start_tag)
                element.written = True
        self._out.append(html.escape(text, quote=False))

    def _inline_elements(self) -> list[_OpenElement]:
        """The open inline elements inside the innermost blockquote, outermost first."""
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].name in _BLOCK_TAGS:
                return self._open[index + 1 :]
        return self._open

    def _close_inline(self) -> None:
        for element in reversed(self._inline_elements()):
            if element.written:
                self._out.append(f"</{element.name}>")
                element.written = False

    def _close_paragraph(self) -> None:
        if self._in_paragraph:
            self._close_inline()
            self._out.append("</p>\n")
        self._in_paragraph = False
        self._pending_break = None


def sanitize_comment(raw: str) -> str:
    """Safe HTML to store and serve for the comment text `raw` that a reader submitted.

    Three steps: nh3 cleans `raw` with the comment allow-list; the clean tree's line breaks
    become `<p>` and `<br>`; nh3 cleans the result again. Paragraphs are built from clean HTML
    because the builder then works on a balanced tree with escaped text (a newline can never
    sit inside a tag it does not know about), and the last nh3 pass means that nothing the
    builder writes is trusted. Sanitising the output again gives the same output.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _ParagraphBuilder().build(_CLEANER.clean(text))
    return _CLEANER.clean(paragraphs)


def comment_text(markup: str) -> str:
    """The readable text of a comment (tags dropped, entities decoded, whitespace folded),
    for keyword checks such as moderation and disallowed-word lists."""
    return html_to_text(markup)


class _LinkCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and any(name == "href" for name, _ in attrs):
            self.links += 1


def count_links(raw_or_html: str) -> int:
    """How many links a comment holds, for the "hold when it has N or more links" rule.

    WordPress's `check_comment` counts matches of `<a [^>]*href` in the submitted text and does
    not count bare URLs; so does this, but on the text as nh3 cleans it (before paragraphs
    are built), read by a parser: an `<a>` whose URL was dropped as unsafe is no link a reader
    could follow, and `&lt;a href` typed as text or `href` inside a title is not a link
    either. Raw text and `sanitize_comment` output both work; in the latter a link that spans
    a paragraph break counts once per paragraph, as the reader sees it.
    """
    counter = _LinkCounter()
    counter.feed(_CLEANER.clean(raw_or_html))
    counter.close()
    return counter.links
