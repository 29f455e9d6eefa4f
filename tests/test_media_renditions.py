"""Renditions survive what happens to a server: a crash halfway through an image leaves it
pending and the next sweep makes only what is missing; after the widths change, an operator
runs `threadpress media renditions --all` and every image follows."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import models
from gql.core.tokens import create_token
from gql.media.renditions import Renditions, wanted_sizes
from gql.media.storage import LocalStorage
from gql.settings import load_settings
from tests.conftest import app_client, graphql
from tests.live_server import database_environment
from tests.media_files import png, upload

THREADPRESS = Path(sys.executable).with_name("threadpress")
SIZES = "query($id: ID!) { mediaItem(id: $id) { sizes { name width } srcSet } }"


def test_widths_are_never_upscaled_and_webp_is_made_once() -> None:
    widths = (300, 768, 1024)
    assert wanted_sizes(800, "image/jpeg", widths) == [
        ("300", 300, None),
        ("300-webp", 300, "WEBP"),
        ("768", 768, None),
        ("768-webp", 768, "WEBP"),
    ]
    assert wanted_sizes(800, "image/webp", widths) == [("300", 300, None), ("768", 768, None)]
    assert wanted_sizes(300, "image/png", widths) == []


async def _uploaded(db: str, media: Path, widths: str) -> dict[str, Any]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    env = {"THREADPRESS_MEDIA_DIR": str(media), "THREADPRESS_MEDIA_WIDTHS": widths}
    async with app_client(db, env) as http:
        response = await upload(
            http, png(900, 600), filename="wide.png", headers={"Authorization": f"Bearer {secret}"}
        )
        item: dict[str, Any] = response.json()["data"]["uploadMedia"]["mediaItem"]
        for _ in range(400):
            if await models.MediaItem.filter(renditions=models.RenditionState.DONE).exists():
                break
            await asyncio.sleep(0.05)
    return item


async def _sizes(db: str, media: Path, item_id: str) -> dict[str, Any]:
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(media)}) as http:
        found: dict[str, Any] = (await graphql(http, SIZES, {"id": item_id}))["data"]["mediaItem"]
    return found


async def test_a_sweep_after_a_crash_makes_only_what_is_missing(db: str, tmp_path: Path) -> None:
    item = await _uploaded(db, tmp_path, "300,600")
    made = await models.MediaSize.all().order_by("id").values_list("name", "file_name")
    assert [name for name, _ in made] == ["300", "300-webp", "600", "600-webp"]
    # A crash after two of the four: the item is still pending, two renditions exist.
    await models.MediaSize.filter(name__in=["600", "600-webp"]).delete()
    await models.MediaItem.all().update(renditions=models.RenditionState.PENDING)
    kept = await models.MediaSize.filter(name="300").values_list("id", flat=True)
    shown = await _sizes(db, tmp_path, item["id"])
    # What the API lists is what exists: no srcset entry names a rendition not made.
    assert [s["name"] for s in shown["sizes"]] == ["300", "300-webp"]
    assert [part.rsplit(" ", 1)[1] for part in shown["srcSet"].split(", ")] == ["300w", "900w"]

    settings = load_settings(
        {
            "DATABASE_URL": db,
            "THREADPRESS_MEDIA_DIR": str(tmp_path),
            "THREADPRESS_MEDIA_WIDTHS": "300,600",
        }
    )
    tags: list[str] = []

    async def written(changed: Any) -> None:
        tags.extend(changed)

    rendered = await Renditions(settings, LocalStorage(tmp_path), written).sweep()

    assert rendered == 1
    assert f"media:{item['databaseId']}" in tags
    again = await models.MediaSize.all().order_by("id").values_list("name", "file_name")
    assert sorted(again) == sorted(made)  # the same files: names are the hashes of the bytes
    assert await models.MediaSize.filter(name="300").values_list("id", flat=True) == kept
    assert await models.MediaItem.filter(renditions=models.RenditionState.DONE).count() == 1
    assert await Renditions(settings, LocalStorage(tmp_path), written).sweep() == 0


async def test_new_widths_reach_every_image_with_the_command(db: str, tmp_path: Path) -> None:
    item = await _uploaded(db, tmp_path, "300,600")
    before = await models.MediaSize.all().values_list("name", "file_name")
    env = {
        **database_environment(db),
        "THREADPRESS_MEDIA_DIR": str(tmp_path),
        "THREADPRESS_MEDIA_WIDTHS": "200,600",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [str(THREADPRESS), "media", "renditions", "--all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.strip() == "Rendered 1 images (widths 200, 600)."
    dropped = await models.MediaSize.filter(name="300").count()
    assert dropped == 0
    for name, file_name in before:
        assert (tmp_path / file_name).exists() == name.startswith("600"), name
    shown = await _sizes(db, tmp_path, item["id"])
    assert [(s["name"], s["width"]) for s in shown["sizes"]] == [
        ("200", 200),
        ("200-webp", 200),
        ("600", 600),
        ("600-webp", 600),
    ]


def _command(*args: str, env: dict[str, str], stdin: bytes | None = None) -> Any:
    return subprocess.run(
        [str(THREADPRESS), *args],
        env={**env, "THREADPRESS_BACKGROUND_TASKS": "off"},
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


async def test_a_dump_names_its_media_files_and_a_load_checks_they_are_there(
    db: str, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    item = await _uploaded(db, media, "300")
    names = await models.MediaSize.all().values_list("file_name", flat=True)
    expected = [item["url"].removeprefix("http://testserver/media/"), *names]
    site = {**database_environment(db), "THREADPRESS_MEDIA_DIR": str(media)}

    dumped = await asyncio.to_thread(_command, "dump", "-", env=site)
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stderr.decode().splitlines()[0] == (
        f"threadpress dump: the dump names {len(expected)} media files: copy {media} "
        "(THREADPRESS_MEDIA_DIR) with it"
    )
    # Loaded where the folder was not copied: every file is named.
    elsewhere = tmp_path / "empty-media"
    bare = {
        **database_environment(f"sqlite:///{tmp_path / 'copy.sqlite3'}"),
        "THREADPRESS_MEDIA_DIR": str(elsewhere),
    }
    loaded = await asyncio.to_thread(_command, "load", "-", env=bare, stdin=dumped.stdout)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.decode().startswith("Loaded ")
    assert loaded.stderr.decode() == (
        f"threadpress load: warning: {len(expected)} media files are not in {elsewhere} "
        f"(THREADPRESS_MEDIA_DIR): {', '.join(expected)}; copy the media folder of the dumped "
        "site there\n"
    )
    # With the folder there: silent.
    beside = {
        **database_environment(f"sqlite:///{tmp_path / 'copy2.sqlite3'}"),
        "THREADPRESS_MEDIA_DIR": str(media),
    }
    again = await asyncio.to_thread(_command, "load", "-", env=beside, stdin=dumped.stdout)
    assert (again.returncode, again.stderr) == (0, b""), again.stderr
