"""Importing the SEO fields a WordPress site's SEO plugin kept in post meta (Yoast SEO's
`_yoast_wpseo_*`, Rank Math's `rank_math_*`), for posts and pages, from a small hand-written
export: template variables filled or dropped, noindex read, a re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

import models
from tests.conftest import app_client, graphql
from tests.test_feeds import ENV, SITE
from tests.test_import_wordpress import item, write, wxr
from threadpress.wordpress import import_wxr
from threadpress.wordpress.seo import filled, robots_noindex

ROBOTS = 'a:2:{i:0;s:7:"noindex";i:1;s:8:"nofollow";}'
SEO = "seo { title description canonicalUrl noIndex }"


def meta(**pairs: str) -> str:
    """`wp:postmeta` elements, a key's dashes written as `__` (Python names have none)."""
    return "".join(
        f"<wp:postmeta><wp:meta_key>{key.replace('__', '-')}</wp:meta_key>"
        f"<wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"
        for key, value in pairs.items()
    )


def _export(*, yoast_title: str = "%%title%% %%sep%% %%sitename%%") -> str:
    items = [
        item(
            1,
            name="hill-repeats",
            title="Hill repeats",
            comments=meta(
                _yoast_wpseo_title=yoast_title,
                _yoast_wpseo_metadesc="Why %%title%% work, in six weeks.",
                _yoast_wpseo_canonical="https://club.example.org/hills/",
                _yoast_wpseo_meta__robots__noindex="1",
                _edit_lock="1700000000:1",
            ),
        ),
        item(
            2,
            name="tempo",
            title="Tempo",
            comments=meta(
                rank_math_title="%sitename% %sep% Runs at %title% pace %page%",
                rank_math_description="Steady and hard.",
                rank_math_canonical_url="not an address",
                rank_math_robots=ROBOTS,
            ),
        ),
        item(3, name="plain", title="Plain"),
        item(
            7,
            post_type="page",
            name="about",
            title="About",
            comments=meta(
                rank_math_title="All about us %sep% %sitename%",
                rank_math_robots='a:1:{i:0;s:5:"index";}',
            ),
        ),
    ]
    return wxr("https://wordpress.org/export/1.2/", "".join(items))


def test_template_variables_become_the_title_or_go_with_their_separators() -> None:
    assert filled("%%title%% %%sep%% %%sitename%%", "Hills") == "Hills"
    assert filled("%%sitename%% | %%title%%", "Hills") == "Hills"
    assert filled("%title% - %category% - %sitename%", "Hills") == "Hills"
    assert filled("Best of %title% %page% %sep% %sitename%", "Hills") == "Best of Hills"
    # The title's own dashes and percent signs stay as written.
    assert filled("%%title%% %%sep%% %%sitename%%", "50% - uphill") == "50% - uphill"
    assert filled("Plain words", "Hills") == "Plain words"
    assert robots_noindex(ROBOTS)
    assert not robots_noindex('a:1:{i:0;s:5:"index";}')
    assert not robots_noindex("")


async def test_seo_plugins_post_meta_imports_for_posts_and_pages(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, _export())

    await import_wxr(path, progress=False)
    again = await import_wxr(path, progress=False)

    async with app_client(db, ENV) as http:
        hills = await graphql(http, f'{{ post(slug: "hill-repeats") {{ {SEO} }} }}')
        tempo = await graphql(http, f'{{ post(slug: "tempo") {{ {SEO} }} }}')
        about = await graphql(http, f'{{ page(uri: "/about/") {{ {SEO} }} }}')
    stored = await models.Post.get(wp_id=1)
    plain = await models.Post.get(wp_id=3)

    # Only the title variable and the plugin's separator were in the title: none is stored.
    assert stored.seo_title is None
    assert hills["data"]["post"]["seo"] == {
        "title": "Hill repeats",
        "description": "Why Hill repeats work, in six weeks.",
        "canonicalUrl": "https://club.example.org/hills/",
        "noIndex": True,
    }
    tempo_post = await models.Post.get(wp_id=2)
    assert tempo["data"]["post"]["seo"] == {
        "title": "Runs at Tempo pace",
        "description": "Steady and hard.",
        # Not an absolute address: left out, the post's own stands in.
        "canonicalUrl": SITE + tempo_post.uri,
        "noIndex": True,
    }
    assert about["data"]["page"]["seo"]["title"] == "All about us"
    assert about["data"]["page"]["seo"]["noIndex"] is False
    assert (plain.seo_title, plain.seo_description, plain.seo_canonical_url) == (None,) * 3
    assert plain.seo_no_index is False
    assert vars(again.counts["posts"])["updated"] == 0
    assert vars(again.counts["pages"])["updated"] == 0


async def test_a_changed_seo_title_in_the_export_updates_the_post(db: str, tmp_path: Path) -> None:
    await import_wxr(write(tmp_path, _export()), progress=False)

    summary = await import_wxr(
        write(tmp_path, _export(yoast_title="Hill work for %%title%%"), "changed.xml"),
        progress=False,
    )

    assert vars(summary.counts["posts"])["updated"] == 1
    assert (await models.Post.get(wp_id=1)).seo_title == "Hill work for Hill repeats"
