"""A developer changes a dependency range in pyproject.toml: the lock that `make run` and
`make test` install from must still satisfy it (else `make lock` was forgotten), the runtime
lock must pin what the test lock pins, and neither may name a package index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RUN_LOCK = ROOT / "requirements" / "run.txt"
TEST_LOCK = ROOT / "requirements" / "test.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def _pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text())}


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        "run": list(project["dependencies"]),
        "test": [*project["dependencies"], *project["optional-dependencies"]["test"]],
    }


def _unmet(requirements: list[str], pins: dict[str, str]) -> list[str]:
    unmet = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            unmet.append(f"{line} (locked: {pinned or 'absent'})")
    return unmet


def test_the_lock_satisfies_every_range_in_pyproject() -> None:
    ranges = _project()

    assert _unmet(ranges["run"], _pins(RUN_LOCK)) == [], "run `make lock`"
    assert _unmet(ranges["test"], _pins(TEST_LOCK)) == [], "run `make lock`"


def test_the_runtime_lock_is_the_test_lock_s_runtime_part() -> None:
    run, test = _pins(RUN_LOCK), _pins(TEST_LOCK)

    assert {name: test.get(name) for name in run} == run
    assert {"strawberry-graphql", "graphql-core", "starlette", "tortoise-orm", "lxml"} <= set(run)


def test_every_pin_has_hashes_and_no_index_is_named() -> None:
    for lock in (RUN_LOCK, TEST_LOCK):
        text = lock.read_text()
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        pinned = [block for block in blocks if PIN.match(block + "\n")]

        assert len(pinned) == len(_pins(lock)) > 0, lock
        assert all("--hash=sha256:" in block for block in pinned), lock
        assert not re.search(r"://|index-url|find-links|trusted-host", text), lock
