"""`GET /media/<name>`: the stored media files (originals and renditions), served by
Starlette's `StaticFiles` from the local storage's folder.

Starlette does the file work (`Content-Type` from the extension the sniffed type gave the
name, `Content-Length`, `ETag` and `Last-Modified`, `304 Not Modified`, `Range` requests,
`HEAD`); this adds what a content-addressed name allows: a year of caching, `immutable`
(the name is the hash of the bytes, so it never changes). Only content names are served: a
temporary file of an upload in progress, or anything else in the folder, is a 404.
`X-Content-Type-Options: nosniff` comes with every response (`gql.http.security_headers`).
"""

from __future__ import annotations

import os

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from gql.media.storage import CONTENT_NAME, IMMUTABLE_CACHE_CONTROL


class MediaFiles(StaticFiles):
    """Starlette's static files, for content-addressed names only, cached for a year."""

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        if not CONTENT_NAME.match(path.replace(os.sep, "/")):
            raise HTTPException(status_code=404)
        return path

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = IMMUTABLE_CACHE_CONTROL
        return response


__all__ = ["MediaFiles"]
