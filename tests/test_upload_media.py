"""An editor uploads images over HTTP (the GraphQL multipart request spec), and the site
serves them: metadata stripped, renditions made in the background, files cached for a year;
anything refused leaves no file and no row behind."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

import models
from gql.core.ids import pk_of
from gql.core.tokens import create_token
from tests.conftest import app_client, graphql
from tests.media_files import UPLOAD, has_metadata, jpeg, png, stored_files, upload

SIZES = """
query($id: ID!) { mediaItem(id: $id) { width sizes { name url width height mimeType } srcSet } }
"""


async def _token(role: models.Role = models.Role.EDITOR) -> dict[str, str]:
    _, secret = await create_token(f"the {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


def _env(media: Path, **more: str) -> dict[str, str]:
    return {"THREADPRESS_MEDIA_DIR": str(media), **more}


def _path(url: str) -> str:
    assert url.startswith("http://testserver/media/"), url
    return url.removeprefix("http://testserver")


async def _rendered(item_id: str) -> bool:
    """Whether the background job has marked the item done (its last write)."""
    pk = pk_of(item_id, "MediaItem")
    return await models.MediaItem.filter(id=pk, renditions=models.RenditionState.DONE).exists()


async def _renditions(http: httpx.AsyncClient, item_id: str, count: int) -> dict[str, Any]:
    """The item once its `count` renditions exist (they are made after the upload answered)."""
    for _ in range(600):
        item: dict[str, Any] = (await graphql(http, SIZES, {"id": item_id}))["data"]["mediaItem"]
        if len(item["sizes"]) >= count and await _rendered(item_id):
            return item
        await asyncio.sleep(0.05)
    raise AssertionError(f"renditions of {item_id} never appeared: {item}")


async def test_a_phone_photo_uploads_without_its_location(db: str, tmp_path: Path) -> None:
    # Given a 5 MB, 12-megapixel phone photo taken sideways, with GPS, a camera make and XMP.
    original = jpeg(4032, 3024, gps=True, orientation=6, xmp=True)
    assert len(original) > 5_000_000
    assert {"GPS", "XMP", "camera make"} <= set(has_metadata(original))
    editor = await _token()

    async with app_client(db, _env(tmp_path, THREADPRESS_MEDIA_WIDTHS="300,768")) as http:
        # When an editor uploads it.
        response = await upload(
            http, original, filename="IMG_0042.jpg", headers=editor, fields={"altText": "A bay"}
        )
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["uploadMedia"]
        assert payload["errors"] == []
        item = payload["mediaItem"]
        # Then it is stored upright (EXIF orientation 6: turned a quarter), as a JPEG.
        assert (item["width"], item["height"]) == (3024, 4032)
        assert item["mimeType"] == "image/jpeg"
        assert item["title"] == "IMG 0042"
        assert item["altText"] == "A bay"
        # And the original as served carries none of the metadata.
        served = await http.get(_path(item["url"]))
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert has_metadata(served.content) == []
        assert len(served.content) == item["fileSize"]
        assert Image.open(io.BytesIO(served.content)).size == (3024, 4032)
        # And so does every rendition, made off the request path.
        done = await _renditions(http, item["id"], 4)
        assert [(s["name"], s["width"], s["mimeType"]) for s in done["sizes"]] == [
            ("300", 300, "image/jpeg"),
            ("300-webp", 300, "image/webp"),
            ("768", 768, "image/jpeg"),
            ("768-webp", 768, "image/webp"),
        ]
        for size in done["sizes"]:
            file = await http.get(_path(size["url"]))
            assert file.status_code == 200
            assert file.headers["content-type"] == size["mimeType"]
            assert has_metadata(file.content) == [], size["name"]
            image = Image.open(io.BytesIO(file.content))
            assert image.size == (size["width"], size["height"])
            assert size["height"] == round(4032 * size["width"] / 3024)

    assert await models.MediaItem.filter(renditions=models.RenditionState.DONE).count() == 1


async def test_renditions_take_the_default_widths_never_wider_than_the_original(
    db: str, tmp_path: Path
) -> None:
    editor = await _token()
    async with app_client(db, _env(tmp_path)) as http:
        response = await upload(http, png(1600, 400), filename="banner.png", headers=editor)
        item = response.json()["data"]["uploadMedia"]["mediaItem"]
        assert item["mimeType"] == "image/png"
        done = await _renditions(http, item["id"], 8)
        # 300, 768, 1024 and 1536 are narrower than 1600; 2048 would upscale it.
        assert [s["name"] for s in done["sizes"]] == [
            "300",
            "300-webp",
            "768",
            "768-webp",
            "1024",
            "1024-webp",
            "1536",
            "1536-webp",
        ]
        assert max(s["width"] for s in done["sizes"]) == 1536
        # srcSet names the renditions in the original's format that exist, and the original.
        base = "http://testserver/media/"
        parts = done["srcSet"].split(", ")
        assert [part.rsplit(" ", 1)[1] for part in parts] == [
            "300w",
            "768w",
            "1024w",
            "1536w",
            "1600w",
        ]
        assert all(part.startswith(base) for part in parts)
        assert item["url"] in done["srcSet"]


async def test_media_files_are_served_with_caching_headers(db: str, tmp_path: Path) -> None:
    editor = await _token()
    async with app_client(db, _env(tmp_path)) as http:
        response = await upload(http, png(64, 48), filename="tiny.png", headers=editor)
        item = response.json()["data"]["uploadMedia"]["mediaItem"]
        path = _path(item["url"])
        # Content-addressed: the name is the SHA-256 of the bytes as served.
        first = await http.get(path)
        assert first.status_code == 200
        assert first.headers["content-type"] == "image/png"
        assert first.headers["x-content-type-options"] == "nosniff"
        assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert hashlib.sha256(first.content).hexdigest() in path
        etag = first.headers["etag"]
        again = await http.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
        part = await http.get(path, headers={"Range": "bytes=0-7"})
        assert part.status_code == 206
        assert part.content == first.content[:8]
        assert part.headers["content-range"] == f"bytes 0-7/{len(first.content)}"
        # Anything in the folder that is not a content name is not served.
        (tmp_path / "notes.txt").write_text("private")
        assert (await http.get("/media/notes.txt")).status_code == 404
        assert (await http.get("/media/../secret")).status_code == 404


REFUSED = [
    pytest.param(
        b"<!doctype html><html><script>alert(1)</script></html>",
        "photo.jpg",
        "image/jpeg",
        "UNSUPPORTED_FILE_TYPE",
        id="html-named-jpg",
    ),
    pytest.param(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>',
        "logo.svg",
        "image/svg+xml",
        "UNSUPPORTED_FILE_TYPE",
        id="svg-with-script",
    ),
    pytest.param(
        b"\xff\xd8\xff\xe0" + b"\x00" * (20 * 1024 * 1024 - 3),
        "huge.jpg",
        "image/jpeg",
        "FILE_TOO_LARGE",
        id="20MB-plus-one-byte",
    ),
    pytest.param(None, "bomb.png", "image/png", "FILE_TOO_LARGE", id="decompression-bomb"),
    pytest.param(
        b"\xff\xd8\xff\xe0 not really a jpeg after its first bytes",
        "broken.jpg",
        "image/jpeg",
        "UNSUPPORTED_FILE_TYPE",
        id="jpeg-signature-only",
    ),
]


@pytest.mark.parametrize(("data", "filename", "content_type", "code"), REFUSED)
async def test_refused_uploads_leave_nothing_behind(
    db: str, tmp_path: Path, data: bytes | None, filename: str, content_type: str, code: str
) -> None:
    if data is None:
        # 100 megapixels of one bit each: a 12 KB PNG that decodes to 100 MB and more.
        data = png(10_000, 10_000, mode="1")
        assert len(data) < 100_000
    if code == "FILE_TOO_LARGE" and filename == "huge.jpg":
        assert len(data) == 20 * 1024 * 1024 + 1
    editor = await _token()
    async with app_client(db, _env(tmp_path)) as http:
        response = await upload(
            http, data, filename=filename, content_type=content_type, headers=editor
        )
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["uploadMedia"]
        assert payload["mediaItem"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", code)]
    assert stored_files(tmp_path) == []
    assert await models.MediaItem.all().count() == 0
    assert await models.Change.filter(typename="MediaItem").count() == 0
    assert await models.AuditEntry.filter(action="media.upload").count() == 0


async def test_an_upload_is_judged_on_its_headers_before_its_body_is_read(
    db: str, tmp_path: Path
) -> None:
    builder = await _token(models.Role.BUILDER)
    editor = await _token()
    body_read: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        # A 20 MB body in 1 MB chunks; how many the server pulled is recorded.
        boundary = b"--x\r\n"
        yield boundary + b'Content-Disposition: form-data; name="operations"\r\n\r\n{}\r\n'
        for _ in range(20):
            body_read.append(1)
            yield b"\x00" * (1024 * 1024)

    async def send(headers: dict[str, str]) -> httpx.Response:
        body_read.clear()
        return await http.post(
            "/graphql",
            content=body(),
            headers={"Content-Type": "multipart/form-data; boundary=x", **headers},
        )

    async with app_client(db, _env(tmp_path)) as http:
        # Without the preflight header: the 415 of every non-JSON POST.
        refused = await send({"Authorization": editor["Authorization"]})
        assert refused.status_code == 415
        assert body_read == []
        # With it, anonymous: 401, and the body was never read.
        refused = await send({"Apollo-Require-Preflight": "1"})
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert body_read == []
        # A token that is not an editor's: 403, unread too.
        refused = await send({"GraphQL-Preflight": "1", **builder})
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body_read == []
        # A dead token: 401.
        refused = await send({"GraphQL-Preflight": "1", "Authorization": "Bearer nope"})
        assert refused.status_code == 401
        assert body_read == []
        # An empty preflight header counts as none.
        refused = await send({"Apollo-Require-Preflight": "", **editor})
        assert refused.status_code == 415
    assert stored_files(tmp_path) == []


async def test_a_listed_origin_may_send_the_upload_headers_and_no_other(
    db: str, tmp_path: Path
) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apollo-require-preflight, authorization",
    }
    env = _env(tmp_path, THREADPRESS_CORS_ORIGINS="https://blog.example.org")
    async with app_client(db, env) as http:
        listed = await http.options(
            "/graphql", headers={"Origin": "https://blog.example.org", **asked}
        )
        other = await http.options("/graphql", headers={"Origin": "https://evil.example", **asked})
    assert listed.status_code == 200
    allowed = listed.headers["access-control-allow-headers"].lower().split(", ")
    assert {"apollo-require-preflight", "graphql-preflight", "authorization"} <= set(allowed)
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


async def test_a_body_over_the_upload_limit_is_cut_off_while_it_streams(
    db: str, tmp_path: Path
) -> None:
    editor = await _token()
    pulled: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        operations = json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}})
        yield (
            b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
            + operations.encode()
            + b'\r\n--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
            + b'{"0": ["variables.input.file"]}\r\n--x\r\n'
            + b'Content-Disposition: form-data; name="0"; filename="a.jpg"\r\n'
            + b"Content-Type: image/jpeg\r\n\r\n"
        )
        for _ in range(10):
            pulled.append(1)
            yield b"\xff" * (1024 * 1024)

    async with app_client(db, _env(tmp_path, THREADPRESS_MAX_UPLOAD_MB="2")) as http:
        # Declared too large: refused before a byte is read.
        declared = await upload(http, b"\x00" * (4 * 1024 * 1024), headers=editor)
        assert declared.status_code == 413
        assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        # Streamed (chunked, no length): refused once past 2 MB + the envelope.
        streamed = await http.post(
            "/graphql",
            content=body(),
            headers={
                "Content-Type": "multipart/form-data; boundary=x",
                "Apollo-Require-Preflight": "1",
                **editor,
            },
        )
        assert streamed.status_code == 413
        assert len(pulled) <= 4
    assert stored_files(tmp_path) == []
    assert await models.MediaItem.all().count() == 0


async def test_an_upload_is_one_operation(db: str, tmp_path: Path) -> None:
    editor = await _token()
    operations = [{"query": UPLOAD, "variables": {"input": {"file": None}}}] * 2
    async with app_client(db, _env(tmp_path)) as http:
        response = await http.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["0.variables.input.file"]}),
            },
            files={"0": ("a.png", png(8, 8), "image/png")},
            headers={"Apollo-Require-Preflight": "1", **editor},
        )
        assert response.status_code == 400
    assert await models.MediaItem.all().count() == 0


async def test_a_pdf_and_an_animated_gif_are_kept_as_files(db: str, tmp_path: Path) -> None:
    editor = await _token()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    colours = ((200, 40, 40), (40, 200, 40), (40, 40, 200))
    frames = [Image.new("RGB", (320, 200), colour) for colour in colours]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    async with app_client(db, _env(tmp_path, THREADPRESS_MEDIA_WIDTHS="300")) as http:
        # An urql-like client asks for an event stream too: an upload still answers as JSON.
        sent = await upload(
            http,
            pdf,
            filename="race-map.pdf",
            content_type="application/pdf",
            headers={**editor, "Accept": "application/graphql-response+json, text/event-stream"},
        )
        assert sent.status_code == 200, sent.text
        document = sent.json()["data"]["uploadMedia"]["mediaItem"]
        assert (document["mimeType"], document["width"], document["height"]) == (
            "application/pdf",
            None,
            None,
        )
        assert (document["sizes"], document["srcSet"]) == ([], None)
        served = await http.get(_path(document["url"]))
        assert served.headers["content-type"] == "application/pdf"
        assert served.content == pdf
        moving = await upload(http, animated.getvalue(), filename="wave.gif", headers=editor)
        gif = moving.json()["data"]["uploadMedia"]["mediaItem"]
        assert (gif["mimeType"], gif["width"], gif["height"]) == ("image/gif", 320, 200)
        kept = Image.open(io.BytesIO((await http.get(_path(gif["url"]))).content))
        assert getattr(kept, "n_frames", 1) == 3
        done = await _renditions(http, gif["id"], 2)
        assert [(s["name"], s["mimeType"]) for s in done["sizes"]] == [
            ("300", "image/gif"),
            ("300-webp", "image/webp"),
        ]
    assert await models.MediaItem.filter(renditions=models.RenditionState.NONE).count() == 1
