"""A streaming reader of WordPress eXtended RSS (WXR) exports.

The file is read with `lxml.etree.iterparse` and every top-level record (author, category,
item) is cleared as soon as it has been turned into a plain record, so memory stays at one
item's size however large the export is. Entities are never resolved, nothing is fetched from
the network, and a document with a DOCTYPE is refused outright: WordPress never writes one, and
a DTD is how entity-expansion ("billion laughs") and external-entity attacks arrive.

The DOCTYPE rule is ours, checked before lxml sees the document: the prolog (everything before
the first element) is read with the standard library's expat, which stops at the first
element. Left to libxml2, the outcome depended on its version: 2.14 stops a billion-laughs
document itself ("Maximum entity amplification factor exceeded") before our check could speak,
so the same file was refused with a different message on another machine.

The namespace of the `wp:` elements is read from the document, because it differs between
WXR versions (`http://wordpress.org/export/1.0/` to `1.2/`) and WordPress.com spells it with
`https://`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.parsers import expat

from lxml import etree

from models.page import MAX_MENU_ORDER
from threadpress.wordpress.errors import ImportRefused
from threadpress.wordpress.records import (
    AuthorRecord,
    CategoryRecord,
    CommentRecord,
    ItemRecord,
    MenuRecord,
    TagRecord,
)
from threadpress.wordpress.seo import SEO_META_KEYS

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
_EXPORT_NS = re.compile(r"^https?://(?:www\.)?wordpress\.(?:org|com)/export/(\d+(?:\.\d+)*)/$")
_EXCERPT_NS = re.compile(
    r"^https?://(?:www\.)?wordpress\.(?:org|com)/export/(\d+(?:\.\d+)*)/excerpt/$"
)
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_ZERO_DATE = "0000-00-00 00:00:00"
MAX_ID = 2**31 - 1  # ids are stored in 32-bit integer columns
_PROLOG_CHUNK = 64 * 1024
_DOCTYPE_REFUSED = (
    "refused, the document has a DOCTYPE; WordPress exports never do, and entity "
    "declarations can be used to attack the importer"
)


@dataclass(frozen=True, slots=True)
class TermRecord:
    """A channel-level `wp:term` of a taxonomy Threadpress does not import."""

    taxonomy: str


@dataclass(frozen=True, slots=True)
class Namespaces:
    """The namespaces this document uses for WordPress's own elements."""

    wp: str
    excerpt: str
    version: str


Record = AuthorRecord | CategoryRecord | TagRecord | ItemRecord | MenuRecord | TermRecord
MENU_META_PREFIX = "_menu_item_"


class WxrReader:
    """Reads one WXR file, record by record; `namespaces` is known after the first record."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.namespaces: Namespaces | None = None

    def records(self) -> Iterator[Record]:
        """Every author, category, term and item of the channel, in file order.

        Raises ImportRefused for a missing file, anything that is not well-formed XML, a
        document that is not a WXR export, and records missing required fields.
        """
        try:
            stream: IO[bytes] = self.path.open("rb")
        except FileNotFoundError:
            raise ImportRefused(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise ImportRefused(f"{self.path}: is a directory, not a WXR file") from None
        except OSError as error:
            raise ImportRefused(f"{self.path}: cannot be read ({error.strerror})") from None
        with stream:
            if has_doctype(stream):
                raise ImportRefused(f"{self.path}: {_DOCTYPE_REFUSED}")
            stream.seek(0)
            yield from self._parse(stream)

    def _parse(self, stream: IO[bytes]) -> Iterator[Record]:
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,  # safe here: no DTD means no entities to expand
            remove_comments=True,
            remove_pis=True,
        )
        depth = 0
        seen_element = False
        channel: etree._Element | None = None
        try:
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        seen_element = True
                        self._check_root(element)
                    elif depth == 2 and element.tag == "channel":
                        channel = element
                        self.namespaces = self._detect_namespaces(element)
                    continue
                depth -= 1
                if depth != 2 or channel is None or element.getparent() is not channel:
                    continue
                record = self._record(element)
                # Drop what has been read so memory does not grow with the file.
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del channel[0]
                if record is not None:
                    yield record
        except etree.XMLSyntaxError as error:
            if not seen_element:
                raise ImportRefused(f"{self.path}: not an XML document ({error.msg})") from None
            line, column = error.position
            raise ImportRefused(
                f"{self.path}: malformed XML at line {line}, column {column}: {error.msg}"
            ) from None
        if channel is None:
            raise ImportRefused(f"{self.path}: not a WordPress export (WXR): no <channel>")

    def _check_root(self, root: etree._Element) -> None:
        docinfo = root.getroottree().docinfo
        # (getattr: lxml-stubs lag behind lxml and miss `doctype`, mistype `internalDTD`.)
        doctype: str | None = getattr(docinfo, "doctype", None)
        # A second line behind `has_doctype`, for prologs expat could not read (UTF-32).
        if doctype or getattr(docinfo, "internalDTD", None) is not None:
            raise ImportRefused(f"{self.path}: {_DOCTYPE_REFUSED}")
        if root.tag != "rss":
            raise ImportRefused(
                f"{self.path}: not a WordPress export (WXR): the root element is "
                f"<{etree.QName(root).localname}>, not <rss>"
            )

    def _detect_namespaces(self, channel: etree._Element) -> Namespaces:
        uris = set(channel.nsmap.values())
        exports = sorted(
            (match.group(1), uri) for uri in uris if (match := _EXPORT_NS.match(uri or ""))
        )
        if not exports:
            raise ImportRefused(
                f"{self.path}: not a WordPress export (WXR): no wordpress.org/export/ "
                "namespace is declared"
            )
        version, wp = exports[-1]
        if version not in SUPPORTED_VERSIONS:
            raise ImportRefused(
                f"{self.path}: unsupported WXR version {version} (this importer reads "
                f"{', '.join(SUPPORTED_VERSIONS)})"
            )
        excerpt = next(
            (uri for uri in uris if (m := _EXCERPT_NS.match(uri or "")) and m.group(1) == version),
            wp + "excerpt/",
        )
        return Namespaces(wp=wp, excerpt=excerpt, version=version)

    def _wp(self, name: str) -> str:
        assert self.namespaces is not None
        return f"{{{self.namespaces.wp}}}{name}"

    def _record(self, element: etree._Element) -> Record | None:
        tag = element.tag
        if tag == "item":
            return self._item(element)
        if tag == self._wp("author"):
            return self._author(element)
        if tag == self._wp("category"):
            return self._category(element)
        if tag == self._wp("tag"):
            return self._tag(element)
        if tag == self._wp("term"):
            return self._term(element)
        if tag == self._wp("wxr_version"):
            self._check_version(element)
        return None

    def _check_version(self, element: etree._Element) -> None:
        version = (element.text or "").strip()
        if version not in SUPPORTED_VERSIONS:
            raise ImportRefused(
                f"{self.path}: unsupported WXR version {version or '(empty)'} at line "
                f"{_line(element)} (this importer reads {', '.join(SUPPORTED_VERSIONS)})"
            )

    def _author(self, element: etree._Element) -> AuthorRecord:
        texts = _texts(element)
        login = texts.get(self._wp("author_login"), "")
        if not login:
            raise self._missing(element, "wp:author", "wp:author_login")
        return AuthorRecord(
            login=login,
            email=texts.get(self._wp("author_email"), ""),
            display_name=texts.get(self._wp("author_display_name"), ""),
            first_name=texts.get(self._wp("author_first_name"), ""),
            last_name=texts.get(self._wp("author_last_name"), ""),
        )

    def _category(self, element: etree._Element) -> CategoryRecord:
        texts = _texts(element)
        nicename = texts.get(self._wp("category_nicename"), "")
        if not nicename:
            raise self._missing(element, "wp:category", "wp:category_nicename")
        term_id = texts.get(self._wp("term_id"), "")
        return CategoryRecord(
            nicename=nicename,
            name=texts.get(self._wp("cat_name"), "") or nicename,
            parent_nicename=texts.get(self._wp("category_parent"), ""),
            term_id=self._integer(element, "wp:term_id", term_id) if term_id else None,
            description=texts.get(self._wp("category_description"), ""),
        )

    def _tag(self, element: etree._Element) -> TagRecord:
        texts = _texts(element)
        slug = texts.get(self._wp("tag_slug"), "")
        name = texts.get(self._wp("tag_name"), "")
        if not slug and not name:
            raise self._missing(element, "wp:tag", "wp:tag_slug")
        term_id = texts.get(self._wp("term_id"), "")
        return TagRecord(
            nicename=slug,
            name=name or slug,
            term_id=self._integer(element, "wp:term_id", term_id) if term_id else None,
            description=texts.get(self._wp("tag_description"), ""),
        )

    def _term(
        self, element: etree._Element
    ) -> CategoryRecord | TagRecord | MenuRecord | TermRecord:
        """A generic term (WXR 1.1+): categories, tags and menus are read, other taxonomies only
        counted."""
        texts = _texts(element)
        taxonomy = texts.get(self._wp("term_taxonomy"), "") or "term"
        slug = texts.get(self._wp("term_slug"), "")
        term_id = texts.get(self._wp("term_id"), "")
        if taxonomy == "nav_menu" and slug:
            return MenuRecord(
                slug=slug,
                name=texts.get(self._wp("term_name"), "") or slug,
                term_id=self._integer(element, "wp:term_id", term_id) if term_id else None,
            )
        if taxonomy not in ("category", "post_tag") or not slug:
            return TermRecord(taxonomy)
        if taxonomy == "post_tag":
            return TagRecord(
                nicename=slug,
                name=texts.get(self._wp("term_name"), "") or slug,
                term_id=self._integer(element, "wp:term_id", term_id) if term_id else None,
                description=texts.get(self._wp("term_description"), ""),
            )
        return CategoryRecord(
            nicename=slug,
            name=texts.get(self._wp("term_name"), "") or slug,
            parent_nicename=texts.get(self._wp("term_parent"), ""),
            term_id=self._integer(element, "wp:term_id", term_id) if term_id else None,
            description=texts.get(self._wp("term_description"), ""),
        )

    def _item(self, element: etree._Element) -> ItemRecord:
        texts: dict[str, str] = {}
        categories: list[CategoryRecord] = []
        tags: list[TagRecord] = []
        comments: list[CommentRecord] = []
        menu: MenuRecord | None = None
        meta: list[tuple[str, str]] = []
        seo_meta: list[tuple[str, str]] = []
        wp_comment, wp_postmeta = self._wp("comment"), self._wp("postmeta")
        for child in element:
            tag = child.tag
            if tag == "category":
                domain = child.get("domain")
                name = _text(child)
                nicename = (child.get("nicename") or "").strip()
                if domain == "category" and (nicename or name):
                    categories.append(CategoryRecord(nicename=nicename, name=name))
                elif domain == "post_tag" and (nicename or name):
                    tags.append(TagRecord(nicename=nicename, name=name))
                elif domain == "nav_menu" and (nicename or name) and menu is None:
                    menu = MenuRecord(slug=nicename, name=name or nicename)
            elif tag == wp_comment:
                comments.append(self._comment(child))
            elif tag == wp_postmeta:
                pair = _texts(child)
                key = pair.get(self._wp("meta_key"), "")
                if key.startswith(MENU_META_PREFIX):
                    meta.append(
                        (key.removeprefix(MENU_META_PREFIX), pair.get(self._wp("meta_value"), ""))
                    )
                elif key in SEO_META_KEYS:
                    seo_meta.append((key, pair.get(self._wp("meta_value"), "")))
            elif isinstance(tag, str) and tag not in texts:
                texts[tag] = _text(child)
        for required in ("post_id", "post_type", "status"):
            if not texts.get(self._wp(required)):
                raise self._missing(element, "item", f"wp:{required}")
        date = self._date(element, texts, "post_date")
        modified = self._date(element, texts, "post_modified")
        post_type = texts[self._wp("post_type")]
        is_menu_item = post_type == "nav_menu_item"
        return ItemRecord(
            line=_line(element),
            wp_id=self._integer(element, "wp:post_id", texts[self._wp("post_id")]),
            post_type=texts[self._wp("post_type")],
            status=texts[self._wp("status")],
            title=texts.get("title", ""),
            link=texts.get("link", ""),
            creator=texts.get(f"{{{DC_NS}}}creator", ""),
            content=texts.get(f"{{{CONTENT_NS}}}encoded", ""),
            excerpt=texts.get(f"{{{self._excerpt_ns()}}}encoded", ""),
            post_name=texts.get(self._wp("post_name"), ""),
            date=date,
            modified=modified,
            comment_status=texts.get(self._wp("comment_status"), ""),
            password=texts.get(self._wp("post_password"), ""),
            parent_wp_id=self._integer(
                element, "wp:post_parent", texts.get(self._wp("post_parent")) or "0"
            ),
            menu_order=self._order(element, texts.get(self._wp("menu_order")) or "0"),
            categories=categories,
            tags=tags,
            comments=comments,
            sticky=texts.get(self._wp("is_sticky"), "0") == "1",
            menu=menu if is_menu_item else None,
            menu_meta=dict(reversed(meta)) if is_menu_item else {},
            seo_meta=dict(reversed(seo_meta)) if post_type in ("post", "page") else {},
        )

    def _excerpt_ns(self) -> str:
        assert self.namespaces is not None
        return self.namespaces.excerpt

    def _comment(self, element: etree._Element) -> CommentRecord:
        texts = _texts(element)
        wp_id = texts.get(self._wp("comment_id"), "")
        if not wp_id:
            raise self._missing(element, "wp:comment", "wp:comment_id")
        parent = texts.get(self._wp("comment_parent"), "") or "0"
        return CommentRecord(
            wp_id=self._integer(element, "wp:comment_id", wp_id),
            parent_wp_id=self._integer(element, "wp:comment_parent", parent),
            approved=texts.get(self._wp("comment_approved"), ""),
            comment_type=texts.get(self._wp("comment_type"), ""),
            author_name=texts.get(self._wp("comment_author"), ""),
            author_email=texts.get(self._wp("comment_author_email"), ""),
            author_url=texts.get(self._wp("comment_author_url"), ""),
            author_ip=texts.get(self._wp("comment_author_IP"), ""),
            created_at=self._date(element, texts, "comment_date"),
            content=texts.get(self._wp("comment_content"), ""),
        )

    def _date(self, element: etree._Element, texts: dict[str, str], name: str) -> datetime | None:
        """`<name>_gmt`, else `<name>` read as UTC; WordPress's zero date means no date."""
        for field in (f"{name}_gmt", name):
            value = texts.get(self._wp(field), "")
            if not value or value == _ZERO_DATE:
                continue
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                raise ImportRefused(
                    f"{self.path}: line {_line(element)}: wp:{field} {value!r} is not a "
                    "date (YYYY-MM-DD HH:MM:SS)"
                ) from None
        return None

    def _integer(self, element: etree._Element, field: str, value: str) -> int:
        if not value.isdigit() or int(value) > MAX_ID:
            raise ImportRefused(
                f"{self.path}: line {_line(element)}: {field} {value!r} is not an id "
                f"(an integer from 0 to {MAX_ID})"
            )
        return int(value)

    def _order(self, element: etree._Element, value: str) -> int:
        """`wp:menu_order`: an integer; WordPress allows negative ones, which sort first
        there and read as 0 here (menu order is never negative in Threadpress)."""
        magnitude = value[1:] if value.startswith("-") else value
        if not magnitude.isdigit() or len(magnitude) > 9:
            raise ImportRefused(
                f"{self.path}: line {_line(element)}: wp:menu_order {value!r} is not an integer"
            )
        return min(max(int(value), 0), MAX_MENU_ORDER)

    def _missing(self, element: etree._Element, what: str, field: str) -> ImportRefused:
        return ImportRefused(
            f"{self.path}: line {_line(element)}: {what} without the required {field}"
        )


class _PrologRead(Exception):
    """Raised from expat's handlers to stop reading: `doctype` says what was found."""

    def __init__(self, *, doctype: bool) -> None:
        super().__init__()
        self.doctype = doctype


# Expat's own errors that mean "this encoding is not mine to decode", not "this is not XML".
_ENCODING_ERRORS = {
    expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
    expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING],
}


def has_doctype(stream: IO[bytes]) -> bool:
    """Whether the document in `stream` declares a DOCTYPE before its first element.

    Expat (the standard library's parser, which defusedxml's DTD refusal is built on too)
    reads the prolog: the XML declaration, byte order marks, UTF-8 and UTF-16 with or
    without them, comments and processing instructions, and stops at the first element, so
    at most one chunk past the prolog is read and no entity is ever expanded. Encodings expat
    cannot decode (multi-byte ones such as Shift_JIS) are read again as ISO-8859-1: the
    prolog's markup is ASCII in every encoding the importer's parser accepts that way. A
    document expat finds malformed before its first element counts as having none: lxml then
    refuses it with its own message, as for any file that is not XML.
    """

    def doctype(*_: object) -> None:
        raise _PrologRead(doctype=True)

    def element(*_: object) -> None:
        raise _PrologRead(doctype=False)

    for encoding in (None, "ISO-8859-1"):
        stream.seek(0)
        parser = expat.ParserCreate(encoding)
        parser.StartDoctypeDeclHandler = doctype
        parser.StartElementHandler = element
        try:
            while chunk := stream.read(_PROLOG_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _PrologRead as read:
            return read.doctype
        except expat.ExpatError as error:
            if error.code not in _ENCODING_ERRORS:
                return False
        except (ValueError, LookupError):  # multi-byte or unknown to Python: read as Latin-1
            pass
    return False


def _text(element: etree._Element) -> str:
    """An element's whole text (CDATA included), stripped."""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(t for t in element.itertext() if isinstance(t, str)).strip()


def _line(element: etree._Element) -> int:
    """The line an element starts on (0 when lxml does not know)."""
    line: int | None = getattr(element, "sourceline", None)
    return line or 0


def _texts(element: etree._Element) -> dict[str, str]:
    """Each child's text by tag (the first occurrence wins)."""
    texts: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag not in texts:
            texts[child.tag] = _text(child)
    return texts
