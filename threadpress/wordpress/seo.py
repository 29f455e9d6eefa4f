"""The SEO fields of an imported post or page, from the post meta of the two SEO plugins most
sites run: Yoast SEO (`_yoast_wpseo_*`) and Rank Math (`rank_math_*`). Yoast's value wins
where a site has both (it is the older one; a site that moved keeps the older meta).

Titles and descriptions may hold the plugins' template variables (`%%title%%`, `%%sep%%`,
`%%sitename%%` in Yoast, `%title%`, `%sep%`, `%sitename%` in Rank Math). The title variable
becomes the post's title; every other one is dropped, since the export does not say what it
stood for (the separator and site name are theme and plugin settings, not in the file). The
separators left dangling (`Title |`, `- Title`, `Title | | x`) are collapsed, so a title of
just `%%title%% %%sep%% %%sitename%%` is the post's own title, stored as none (the fallback
says the same and follows a later rename). A canonical address that is not an absolute
http(s) one is left out, as Threadpress would refuse it from an editor.
"""

from __future__ import annotations

import re
from typing import Any

from gql.core.input_rules import url_problems
from models.seo import MAX_CANONICAL_URL, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE
from threadpress.wordpress.mapping import clip

TITLE_KEYS = ("_yoast_wpseo_title", "rank_math_title")
DESCRIPTION_KEYS = ("_yoast_wpseo_metadesc", "rank_math_description")
CANONICAL_KEYS = ("_yoast_wpseo_canonical", "rank_math_canonical_url")
YOAST_NOINDEX = "_yoast_wpseo_meta-robots-noindex"
RANK_MATH_ROBOTS = "rank_math_robots"
SEO_META_KEYS = frozenset(
    (*TITLE_KEYS, *DESCRIPTION_KEYS, *CANONICAL_KEYS, YOAST_NOINDEX, RANK_MATH_ROBOTS)
)
"""The post meta the WXR reader keeps for posts and pages (not every key: memory)."""

_TITLE_VARIABLE = re.compile(r"%%title%%|%title%", re.IGNORECASE)
_VARIABLE = re.compile(r"%%[A-Za-z0-9_-]+%%|%[A-Za-z][A-Za-z0-9_-]*%")
_SEPARATOR = r"[-\u2013\u2014|\u00b7\u2022\u00bb\u00ab:/~*]"
_RUN_OF_SEPARATORS = re.compile(rf"\s*{_SEPARATOR}(?:\s*{_SEPARATOR})+\s*")
_EDGE_SEPARATORS = re.compile(rf"^(?:\s|{_SEPARATOR})+|(?:\s|{_SEPARATOR})+$")
_SPACES = re.compile(r"\s+")
_TITLE_MARK = "\x00"
_PHP_STRING = re.compile(r's:\d+:"([^"]*)"')


def filled(template: str, title: str) -> str:
    """`template` with its title variable as `title`, the others dropped and the separators
    they leave dangling collapsed."""
    # The title stands in as one character until the end: its own text (a `%`, a dash) is
    # neither a variable nor a separator to drop.
    text = _TITLE_VARIABLE.sub(_TITLE_MARK, template.replace(_TITLE_MARK, ""))
    text = _VARIABLE.sub(" ", text)
    text = _RUN_OF_SEPARATORS.sub(lambda run: f" {run.group(0).strip()[0]} ", text)
    text = _EDGE_SEPARATORS.sub("", _SPACES.sub(" ", text))
    return text.replace(_TITLE_MARK, title).strip()


def robots_noindex(raw: str) -> bool:
    """Whether Rank Math's robots meta (a serialized PHP array of strings) holds
    `noindex`."""
    values = _PHP_STRING.findall(raw) or re.split(r"[\s,]+", raw)
    return "noindex" in (value.strip().lower() for value in values)


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = meta.get(key, "").strip()
        if value:
            return value
    return ""


def _absolute(url: str) -> bool:
    """Whether `url` is an address an editor could set (absolute, http or https)."""
    return not url_problems("canonicalUrl", url, maximum=MAX_CANONICAL_URL)


def seo_values(meta: dict[str, str], title: str) -> dict[str, Any]:
    """The SEO columns of a post or page whose SEO post meta is `meta` (empty: none set)."""
    seo_title = filled(_first(meta, TITLE_KEYS), title)
    description = filled(_first(meta, DESCRIPTION_KEYS), title)
    canonicals = (meta.get(key, "").strip() for key in CANONICAL_KEYS)
    canonical = next(
        (
            url
            for url in canonicals
            if url and not url_problems("url", url, maximum=MAX_CANONICAL_URL)
        ),
        "",
    )
    no_index = meta.get(YOAST_NOINDEX, "").strip() == "1" or robots_noindex(
        meta.get(RANK_MATH_ROBOTS, "")
    )
    return {
        "seo_title": clip(seo_title, MAX_SEO_TITLE) if seo_title and seo_title != title else None,
        "seo_description": clip(description, MAX_SEO_DESCRIPTION) if description else None,
        "seo_canonical_url": canonical or None,
        "seo_no_index": no_index,
    }


SEO_FIELDS = ("seo_title", "seo_description", "seo_canonical_url", "seo_no_index")
"""The columns `seo_values` fills (the importer's bulk updates name them)."""
