"""Real files for the media tests, made with Pillow in the test (nothing binary is committed),
and the GraphQL multipart request an upload client sends."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

UPLOAD = """
mutation($input: UploadMediaInput!) {
  uploadMedia(input: $input) {
    mediaItem { id databaseId url mimeType fileSize width height title altText caption
                sizes { name url width height mimeType } srcSet }
    errors { field code message }
  }
}
"""
PREFLIGHT = {"Apollo-Require-Preflight": "true"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,31.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def photo(width: int, height: int) -> Image.Image:
    """A photo-like image: a gradient with grain (compresses like a photo, not like a flat
    colour)."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    return Image.blend(base, grain, 0.4)


def jpeg(
    width: int,
    height: int,
    *,
    gps: bool = False,
    orientation: int | None = None,
    xmp: bool = False,
    quality: int = 88,
) -> bytes:
    """A JPEG as a phone writes it: with GPS coordinates, an orientation, XMP, if asked."""
    image = photo(width, height)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 0.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality, "exif": exif.tobytes()}
    if xmp:
        options["xmp"] = XMP
    image.save(out, "JPEG", **options)
    return out.getvalue()


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A PNG of a flat colour."""
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def has_metadata(data: bytes) -> list[str]:
    """What metadata `data` (an image file) carries: EXIF, GPS, XMP, as Pillow and a look at
    the raw bytes find them."""
    found = []
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    if len(exif):
        found.append("EXIF tags")
    if exif.get_ifd(GPS_IFD):
        found.append("GPS")
    if b"Exif\x00\x00" in data:
        found.append("EXIF block")
    if b"ns.adobe.com/xap" in data or b"xmpmeta" in data or "xmp" in image.info:
        found.append("XMP")
    if b"PhoneMaker" in data:
        found.append("camera make")
    return found


async def upload(
    http: httpx.AsyncClient,
    data: bytes,
    *,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    headers: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
) -> httpx.Response:
    """`uploadMedia` as Apollo Upload and graphql-request send it: `operations`, `map`, then
    the file (with the client's name and type, which the server ignores)."""
    operations = {"query": UPLOAD, "variables": {"input": {"file": None, **(fields or {})}}}
    return await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (filename, data, content_type)},
        headers={**PREFLIGHT, **(headers or {})},
    )


def stored_files(root: Path) -> list[Path]:
    """Every file under the media folder, temporary ones included."""
    return sorted(path for path in root.rglob("*") if path.is_file())
