"""GraphiQL, served entirely by this server: no CDN, so it works offline and under a strict
Content-Security-Policy.

GraphiQL's browser files come from npm (`package.json`, installed by `npm ci`) and are served
from `node_modules` on an explicit allow-list, under URLs that carry the package version so
browsers may keep them for good. The page, its start-up script and its styles are ours
(`gql/http/static/`). Where the npm files are missing (no Node.js on the machine) the server still
starts and serves a minimal query page instead, and says so in its log.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import Scope

logger = logging.getLogger("threadpress.graphiql")

ASSETS_URL = "/graphql/assets"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"

EXAMPLE_QUERY = """\
# Welcome to Threadpress. This query reads the newest post with its comment thread,
# three levels deep. Run it with Ctrl-Enter (or the play button); Ctrl-Space completes
# field names, and the Docs pane describes every type and field.
query PostPage {
  posts(first: 1) {
    nodes {
      title
      uri
      author {
        name
      }
      tags {
        name
        uri
      }
      comments(first: 10) {
        totalCount
        nodes {
          authorName
          content
          replies(first: 10) {
            nodes {
              authorName
              content
              replies(first: 10) {
                nodes {
                  authorName
                  content
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

EXAMPLE_MUTATION = """\
# Submit a comment (this is what a blog's comment form sends). Take a post's `id` from the
# first tab's answer and put it in the variables below; add "parentId" to reply to a comment.
mutation SubmitComment($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    moderationStatus
    previewToken
    comment {
      id
      depth
      authorName
      content
    }
    errors {
      field
      message
      code
      retryAfter
    }
  }
}
"""

EXAMPLE_MUTATION_VARIABLES = """\
{
  "input": {
    "postId": "UG9zdDox",
    "authorName": "Jo Runner",
    "authorEmail": "jo@example.org",
    "content": "Thanks for this!\\n\\nMy calves agree.",
    "clientMutationId": "example-1"
  }
}
"""

# Scripts only from this server; no inline script anywhere (configuration travels in a JSON
# data block, which CSP does not treat as script).
# Styles: when a dialog opens (settings, shortcuts), GraphiQL's scroll lock
# (react-remove-scroll-bar) adds one `<style>` element. Its text depends only on the page's
# scrollbar, which never shows (the body does not scroll), so one hash allows exactly it, and
# no other inline style. tests/test_graphiql_browser.py opens both dialogs to keep this true.
SCROLL_LOCK_STYLE_HASH = "sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc="
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' '{SCROLL_LOCK_STYLE_HASH}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # The same URL answers JSON to GraphQL clients; the page itself may change on upgrade.
    "Vary": "Accept",
    "Cache-Control": "no-cache",
}
# Every asset URL names its version (npm) or content hash (ours): it never changes meaning.
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class NpmFile:
    """One browser file of an npm package, as Strawberry's GraphiQL template loads it."""

    package: str
    version: str
    path: str
    integrity: str

    @property
    def url_path(self) -> str:
        """Where it is served, under `ASSETS_URL`."""
        return f"{self.package}@{self.version}/{self.path}"


# Exactly the files (and integrity hashes) of Strawberry's own GraphiQL template, in its order;
# `package.json` pins these versions. tests/test_http_transport.py compares them with the
# template, so a Strawberry upgrade that moves GraphiQL on is noticed.
NPM_STYLES = (
    NpmFile(
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    NpmFile(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)
NPM_SCRIPTS = (
    NpmFile(
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    NpmFile(
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    NpmFile(
        "js-cookie",
        "3.0.5",
        "dist/js.cookie.min.js",
        "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN",
    ),
    NpmFile(
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    NpmFile(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)


@dataclass(frozen=True)
class ServedFile:
    """A file the asset route may send: where it is, its URL and its SRI hash (when known)."""

    path: Path
    url: str
    integrity: str | None

    @property
    def media_type(self) -> str:
        """Its content type, from its extension (only scripts and style sheets are served)."""
        return MEDIA_TYPES[self.path.suffix]


class MissingAssets(Exception):
    """GraphiQL's npm files are not installed, or not in the pinned versions."""


@dataclass(frozen=True)
class GraphiQLPage:
    """The page `GET /graphql` shows a browser, and the files it loads."""

    html: str
    files: Mapping[str, ServedFile]  # by path under ASSETS_URL
    complete: bool  # GraphiQL itself, or the minimal fallback page

    def response(self) -> Response:
        """The page with its security headers."""
        return HTMLResponse(self.html, headers=PAGE_HEADERS)

    def assets(self) -> GraphiQLAssets:
        """The ASGI app that serves the page's files, to mount at `ASSETS_URL`."""
        return GraphiQLAssets(self.files)


class GraphiQLAssets(StaticFiles):
    """Starlette's static files, limited to an allow-list: nothing else in `node_modules` (or
    anywhere) is reachable, whatever the URL."""

    def __init__(self, files: Mapping[str, ServedFile]) -> None:
        super().__init__(directory=None, check_dir=False)
        self.files = dict(files)
        self.by_path = {str(served.path): served for served in self.files.values()}

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        served = self.files.get(path.replace(os.sep, "/"))
        if served is None:
            return "", None
        try:
            return str(served.path), served.path.stat()
        except OSError:  # removed since start-up: a 404, not a 500
            return "", None

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        served = self.by_path[str(full_path)]
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=served.media_type,
            headers=ASSET_HEADERS,
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


def _sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def _npm_file(node_modules: Path, npm: NpmFile) -> ServedFile:
    package_dir = node_modules / npm.package
    try:
        manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MissingAssets(f"{npm.package} is not installed") from error
    if manifest.get("version") != npm.version:
        raise MissingAssets(
            f"{npm.package} {manifest.get('version')} is installed, {npm.version} is expected"
        )
    path = package_dir / npm.path
    if not path.is_file():
        raise MissingAssets(f"{npm.package}/{npm.path} is missing")
    # Keep the integrity attribute only when it holds for the bytes we serve.
    integrity = npm.integrity if _sri(path) == npm.integrity else None
    if integrity is None:
        logger.info("%s differs from its published bytes: served without SRI", npm.url_path)
    return ServedFile(path, f"{ASSETS_URL}/{npm.url_path}", integrity)


def _own_file(name: str) -> ServedFile:
    path = STATIC / name
    integrity = _sri(path)
    # The content hash in the URL lets browsers cache our files as long as npm's.
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return ServedFile(path, f"{ASSETS_URL}/threadpress@{digest}/{name}", integrity)


def _tag(served: ServedFile) -> str:
    integrity = f' integrity="{served.integrity}"' if served.integrity else ""
    if served.path.suffix == ".css":
        return f'    <link rel="stylesheet" href="{served.url}"{integrity} />'
    return f'    <script src="{served.url}"{integrity}></script>'


def _json_data_block(value: object) -> str:
    """JSON safe inside `<script type="application/json">`: no `</script>` can end it."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(template: str, styles: list[ServedFile], scripts: list[ServedFile]) -> GraphiQLPage:
    files = [*styles, *scripts]
    html_text = Template((STATIC / template).read_text(encoding="utf-8")).substitute(
        styles="\n".join(map(_tag, styles)),
        scripts="\n".join(map(_tag, scripts)),
        config=_json_data_block(
            {
                "exampleQuery": EXAMPLE_QUERY,
                "exampleMutation": EXAMPLE_MUTATION,
                "exampleMutationVariables": EXAMPLE_MUTATION_VARIABLES,
            }
        ),
        example_query=html.escape(EXAMPLE_QUERY),
    )
    return GraphiQLPage(
        html=html_text,
        files={served.url.removeprefix(ASSETS_URL + "/"): served for served in files},
        complete=template == "graphiql.html",
    )


def load_graphiql(node_modules: Path | None = None) -> GraphiQLPage:
    """GraphiQL from `node_modules` (default: the project's), or the minimal page, with a
    warning, when it is missing. Read once per process: after `npm ci`, restart the server."""
    return _load(node_modules or NODE_MODULES)


@functools.cache
def _load(node_modules: Path) -> GraphiQLPage:
    try:
        styles = [_npm_file(node_modules, npm) for npm in NPM_STYLES]
        scripts = [_npm_file(node_modules, npm) for npm in NPM_SCRIPTS]
    except MissingAssets as missing:
        logger.warning(
            "GraphiQL assets are missing (%s in %s): serving a minimal query page at /graphql "
            "instead. Run `npm ci` in the project folder and restart for the full GraphiQL.",
            missing,
            node_modules,
        )
        return _page("fallback.html", [_own_file("fallback.css")], [_own_file("fallback.js")])
    return _page(
        "graphiql.html",
        [*styles, _own_file("graphiql.css")],
        [*scripts, _own_file("graphiql.js")],
    )
