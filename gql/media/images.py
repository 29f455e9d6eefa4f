"""What an uploaded file is, judged from its bytes (never from the client's name or type),
and the image work done with Pillow: the original made safe to serve, and its renditions.

Pure functions of bytes, run in a worker thread (`asyncio.to_thread`): nothing here touches
the database, the storage or the event loop.

- `sniff` names the type from the file's signature: an allow-list (JPEG, PNG, GIF, WebP,
  AVIF images; MP3, M4A, Ogg, WAV audio; MP4, WebM video; PDF). Anything else is refused,
  SVG included (an SVG is a document that can run script in the site's origin).
- `prepare_image` decodes an image only after its header's pixel count passed the limit (a
  decompression bomb is refused before its pixels are allocated), applies the EXIF
  orientation, and re-encodes it without EXIF, GPS, XMP, IPTC or comments: what is served as
  the original carries no metadata a phone wrote into it (the colour profile stays).
- `render` makes one rendition: a width (never wider than the original), in the original's
  format or in WebP, equally bare.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
}
"""Pillow's format names of the images accepted, and their media types."""
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "application/pdf": "pdf",
}
"""Every media type accepted, and the extension its stored name takes."""
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# Image info Pillow reads that is not metadata about the photo and its taker: how to show it.
KEPT_INFO = ("icc_profile", "transparency", "duration", "loop", "background", "dpi")


class Refused(ValueError):
    """A file that is not accepted: the message says why, for the uploader."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _isobmff_brand(data: bytes) -> bytes | None:
    """The major brand of an ISO base media file (MP4, M4A, AVIF), if it is one."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return data[8:12]
    return None


def sniff(data: bytes) -> str:
    """The media type of `data` by its signature, from the allow-list; `Refused` otherwise."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    brand = _isobmff_brand(head)
    if brand in (b"avif", b"avis"):
        return "image/avif"
    if brand in (b"M4A ", b"M4B "):
        return "audio/mp4"
    if brand is not None and brand[:3] in (b"iso", b"mp4", b"avc", b"M4V", b"dash"):
        return "video/mp4"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    text = head.lstrip().lower()
    if text.startswith((b"<svg", b"<?xml")) or b"<svg" in data[:4096].lower():
        raise Refused("SVG files are not accepted: an SVG can run script.")
    raise Refused(
        "Not a file type this site accepts (JPEG, PNG, GIF, WebP, AVIF, audio, video, PDF)."
    )


@dataclass(frozen=True)
class Prepared:
    """An image as it will be served: its bytes (metadata stripped), type and size."""

    data: bytes
    mime_type: str
    width: int
    height: int


def _opened(data: bytes, max_pixels: int) -> Image.Image:
    """The image in `data`, its header read (not its pixels), within `max_pixels`."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns (and past twice its limit, raises); ours is lower.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(f"The image has more than {max_pixels:,} pixels.", too_large=True) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused("The file is not a readable image.") from None
    width, height = image.size
    if width * height > max_pixels:
        raise Refused(f"The image has more than {max_pixels:,} pixels.", too_large=True)
    if image.format not in IMAGE_TYPES:
        raise Refused("Not an image type this site accepts.")
    return image


def _bare(image: Image.Image) -> Image.Image:
    """`image` without metadata: only the information on how to show it is kept."""
    image.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    return image


def _encode(image: Image.Image, format: str, *, frames: list[Image.Image] | None = None) -> bytes:
    """`image` in `format`, written with no EXIF, XMP, IPTC or text (Pillow writes those only
    when asked to, and `_bare` left nothing for it to copy)."""
    out = io.BytesIO()
    options: dict[str, object] = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if format == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif format == "WEBP":
        options.update(quality=WEBP_QUALITY, method=4)
    elif format == "AVIF":
        options.update(quality=WEBP_QUALITY)
    if frames:
        options.update(save_all=True, append_images=frames[1:])
        for key in ("duration", "loop"):
            if key in image.info:
                options[key] = image.info[key]
        frames[0].save(out, format=format, **options)
    else:
        image.save(out, format=format, **options)
    return out.getvalue()


def _frames(image: Image.Image) -> list[Image.Image] | None:
    """Every frame of an animated GIF or WebP, bare; None for a still image."""
    if not getattr(image, "is_animated", False):
        return None
    frames = []
    for index in range(int(getattr(image, "n_frames", 1))):
        image.seek(index)
        frames.append(_bare(image.convert("RGBA")))
    image.seek(0)
    return frames


def prepare_image(data: bytes, max_pixels: int) -> Prepared:
    """The original as served: oriented as its EXIF said, every metadata block stripped."""
    image = _opened(data, max_pixels)
    format = image.format or "PNG"
    try:
        frames = _frames(image)
        if frames is not None:
            info = dict(image.info)
            first = _bare(frames[0])
            first.info.update({k: info[k] for k in ("duration", "loop") if k in info})
            encoded = _encode(first, format, frames=frames)
            width, height = image.size
        else:
            oriented = ImageOps.exif_transpose(image)
            oriented.load()
            icc = image.info.get("icc_profile")
            _bare(oriented)
            if icc:
                oriented.info["icc_profile"] = icc
            encoded = _encode(oriented, format)
            width, height = oriented.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Refused("The file is not a readable image.") from None
    return Prepared(encoded, IMAGE_TYPES[format], width, height)


def render(data: bytes, width: int, format: str | None, max_pixels: int) -> Prepared:
    """A rendition of the prepared original `data`, `width` pixels wide (never upscaled:
    the caller asks only for widths below the original's), in `format` ("WEBP") or the
    original's own format (None). An animated image's rendition is its first frame."""
    image = _opened(data, max_pixels)
    target = format or image.format or "PNG"
    height = max(1, round(image.height * width / image.width))
    if image.format == "JPEG":
        # Decode at the smallest scale (1/2, 1/4, 1/8) still at least this large: a 300 px
        # rendition of a 24-megapixel photo decodes a 64th of its pixels.
        image.draft("RGB", (width, height))
    image.load()
    resized = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    icc = image.info.get("icc_profile")
    resized = resized.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    resized.info = {"icc_profile": icc} if icc else {}
    if target == "JPEG" and resized.mode == "RGBA":
        resized = resized.convert("RGB")
    return Prepared(_encode(resized, target), IMAGE_TYPES[target], width, height)
