"""Comment HTML: what readers submit becomes safe HTML, paragraphs, text and a link count.

Every XSS vector is pinned to its exact output (so a change of nh3 or of our rules shows up
as a diff to review), and every output is also read by a parser that asserts the properties
we rely on, so a new vector only needs a row in the table.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from models.text.comment_html import comment_text, count_links, sanitize_comment
from tests.html_audit import audit, comments

NOFOLLOW = 'rel="nofollow ugc"'

# (submitted text, exact stored HTML)
XSS_VECTORS = [
    ("<script>alert(1)</script>", ""),
    ("hi<script>alert(1)</script>there", "<p>hithere</p>"),
    ("<img src=x onerror=alert(1)>", ""),
    ("<svg onload=alert(1)>", ""),
    ("<svg><script>alert(1)</script></svg>", ""),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', ""),
    ('<a href="javascript:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="&#106;avascript:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="java\x00script:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="  javascript:alert(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    ('<a href="vbscript:msgbox(1)">x</a>', f"<p><a {NOFOLLOW}>x</a></p>"),
    (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        f"<p><a {NOFOLLOW}>x</a></p>",
    ),
    # nh3 does not check schemes on `cite`: these rows are what our attribute filter is for.
    ('<q cite="javascript:alert(1)">x</q>', "<p><q>x</q></p>"),
    ('<q cite="jav&#x09;ascript:alert(1)">x</q>', "<p><q>x</q></p>"),
    ('<q cite="&#106;avascript:alert(1)">x</q>', "<p><q>x</q></p>"),
    ('<q cite="  javascript:alert(1)">x</q>', "<p><q>x</q></p>"),
    ('<q cite="data:text/html,<script>alert(1)</script>">x</q>', "<p><q>x</q></p>"),
    (
        '<blockquote cite="JaVaScRiPt:alert(1)">x</blockquote>',
        "<blockquote>\n<p>x</p>\n</blockquote>",
    ),
    ('<del datetime="2020-01-01" cite="x">d</del>', '<p><del datetime="2020-01-01">d</del></p>'),
    ('<iframe src="https://evil.test"></iframe>', ""),
    ('<object data="x.swf"></object>', ""),
    ('<embed src="x.swf">', ""),
    ("<style>body{display:none}</style>hi", "<p>hi</p>"),
    ('<b style="background:url(javascript:alert(1))">x</b>', "<p><b>x</b></p>"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
    ('<math href="javascript:alert(1)">x</math>', "<p>x</p>"),
    # An unfinished tag is dropped with everything after it, as a browser does at the end.
    ('<a href="http://x.test" onmouseover=alert(1)', ""),
    (
        '<a href="http://x.test" onmouseover=alert(1)>x',
        f'<p><a href="http://x.test" {NOFOLLOW}>x</a></p>',
    ),
    ("<scr<script>ipt>alert(1)</script>", "<p>ipt&gt;alert(1)</p>"),
    (
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ),
    ("<!-- <script>alert(1)</script> -->ok", "<p>ok</p>"),
    ('<base href="https://evil.test/">', ""),
    ('<form action="https://evil.test"><input name=x></form>', ""),
    ('<meta http-equiv="refresh" content="0;url=https://evil.test">', ""),
    ("<details open ontoggle=alert(1)>x</details>", "<p>x</p>"),
    (
        '<a href="https://ok.test" target=_blank>ok</a>',
        f'<p><a href="https://ok.test" {NOFOLLOW}>ok</a></p>',
    ),
    (
        '<a href="https://ok.test" rel="opener">x</a>',
        f'<p><a href="https://ok.test" {NOFOLLOW}>x</a></p>',
    ),
    # mXSS: nh3 reads <noscript> as raw text (scripting on), so the would-be <p title="...">
    # never becomes an element; the <img> after </noscript> is dropped; the rest is text.
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<p>&lt;p title=""&gt;</p>'),
    (
        "<textarea><script>alert(1)</script></textarea>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ),
    ("<title><img src=x onerror=alert(1)></title>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ('<abbr title="x" onclick="y">a</abbr>', '<p><abbr title="x">a</abbr></p>'),
]


@pytest.mark.parametrize(("raw", "expected"), XSS_VECTORS)
def test_xss_vector_is_neutralised(raw: str, expected: str) -> None:
    stored = sanitize_comment(raw)

    assert stored == expected
    assert audit(stored) == []
    assert sanitize_comment(stored) == stored


def test_there_are_enough_xss_vectors() -> None:
    assert len(XSS_VECTORS) >= 25


# (submitted text, exact stored HTML) for what readers write on purpose
FORMATTING = [
    ("", ""),
    ("   \n\n  ", ""),
    ("plain", "<p>plain</p>"),
    ("a\nb", "<p>a<br>\nb</p>"),
    ("a\r\nb\rc", "<p>a<br>\nb<br>\nc</p>"),
    ("a\nb\n\n\nc", "<p>a<br>\nb</p>\n<p>c</p>"),
    ("  a  \n   b  \n \t \n c", "<p>a<br>\nb</p>\n<p>c</p>"),
    ("a<br>b<br><br>c", "<p>a<br>\nb</p>\n<p>c</p>"),
    ("<p>p1</p><p>p2</p>", "<p>p1</p>\n<p>p2</p>"),
    ("<p></p>\n\n<b></b>x", "<p>x</p>"),
    # A paragraph break inside an inline element closes it and opens it again.
    ("<b>a\n\nb</b>", "<p><b>a</b></p>\n<p><b>b</b></p>"),
    (
        '<a href="https://ok.test">a\n\nb</a>',
        f'<p><a href="https://ok.test" {NOFOLLOW}>a</a></p>\n'
        f'<p><a href="https://ok.test" {NOFOLLOW}>b</a></p>',
    ),
    ("<b>a\n</b>c", "<p><b>a</b><br>\nc</p>"),
    (
        "<blockquote>q1\n\nq2</blockquote>after",
        "<blockquote>\n<p>q1</p>\n<p>q2</p>\n</blockquote>\n<p>after</p>",
    ),
    (
        "before\n<blockquote><blockquote>deep</blockquote>q</blockquote>",
        "<p>before</p>\n<blockquote>\n<blockquote>\n<p>deep</p>\n</blockquote>\n<p>q</p>\n"
        "</blockquote>",
    ),
    (
        '<q cite=" https://ok.test/a ">x</q>',
        '<p><q cite="https://ok.test/a">x</q></p>',
    ),
    (
        '<a href="mailto:a@b.test" title="Mail">m</a>',
        f'<p><a href="mailto:a@b.test" title="Mail" {NOFOLLOW}>m</a></p>',
    ),
    (
        '<a href="HTTPS://ok.test/?a=1&b=2">x</a>',
        f'<p><a href="HTTPS://ok.test/?a=1&amp;b=2" {NOFOLLOW}>x</a></p>',
    ),
    # Relative URLs are dropped: a comment is shown under several bases (page, feed, e-mail).
    (
        '<a href="/relative">r</a> <a href="//evil.test">p</a> <a href="#top">h</a>',
        f"<p><a {NOFOLLOW}>r</a> <a {NOFOLLOW}>p</a> <a {NOFOLLOW}>h</a></p>",
    ),
    ('<q cite="/relative">x</q>', "<p><q>x</q></p>"),
    # A newline inside an attribute is part of the attribute, never a paragraph break.
    (
        "<a title='a>b\n\nc' href='https://x.test'>l</a>",
        f'<p><a title="a&gt;b\n\nc" href="https://x.test" {NOFOLLOW}>l</a></p>',
    ),
    (
        "<code>x &lt; y &amp;&amp; z</code> <strike>s</strike> <acronym title='t'>A</acronym>",
        "<p><code>x &lt; y &amp;&amp; z</code> <strike>s</strike> "
        '<acronym title="t">A</acronym></p>',
    ),
    ("<div>a</div><div>b</div><h1>c</h1>", "<p>abc</p>"),
    ("caf\u00e9 &nbsp;\u00a0\U0001f600", "<p>caf\u00e9 &nbsp;&nbsp;\U0001f600</p>"),
]


@pytest.mark.parametrize(("raw", "expected"), FORMATTING)
def test_formatting(raw: str, expected: str) -> None:
    stored = sanitize_comment(raw)

    assert stored == expected
    assert audit(stored) == []
    assert sanitize_comment(stored) == stored


@given(comments)
def test_sanitising_twice_changes_nothing(raw: str) -> None:
    stored = sanitize_comment(raw)

    assert sanitize_comment(stored) == stored


@given(comments)
def test_nothing_executable_survives_any_input(raw: str) -> None:
    assert audit(sanitize_comment(raw)) == []


def test_comment_text_drops_tags_and_decodes_entities() -> None:
    stored = sanitize_comment("Fish &amp; chips\n\n<b>are</b> &lt;great&gt;<br>yes")

    assert comment_text(stored) == "Fish & chips are <great> yes"


def test_comment_text_of_raw_input_drops_scripts() -> None:
    assert comment_text("buy <script>cheap()</script><i>pills</i>") == "buy pills"


LINKS = [
    ("no links, just https://bare.test/url", 0),
    ('<a href="https://a.test">a</a> <A HREF="http://b.test">b</A>', 2),
    ('<a href="mailto:x@y.test">m</a>', 1),
    # Not a link a reader could follow, so not counted.
    ('<a href="javascript:alert(1)">x</a> <a name="top">t</a> <a href="/rel">r</a>', 0),
    ('&lt;a href="https://a.test"&gt; <abbr title="<a href=x>">t</abbr>', 0),
    ('<a title="href" href="https://a.test">a</a>', 1),
    ('<a href="https://a.test">unclosed', 1),
]


@pytest.mark.parametrize(("raw", "expected"), LINKS)
def test_count_links(raw: str, expected: int) -> None:
    assert count_links(raw) == expected


def test_count_links_of_stored_html_is_the_same_as_of_raw() -> None:
    raw = 'see <a href="https://a.test">a</a>\n\nand <a href="https://b.test">b</a>'

    assert count_links(sanitize_comment(raw)) == count_links(raw) == 2
