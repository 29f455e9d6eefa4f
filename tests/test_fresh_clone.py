"""A newcomer clones the repository and runs the tests: with no ../shared beside the clone,
the tests that read third-party data skip, each saying which file is missing, and
everything else passes.

The clone is of the committed HEAD, in a temporary folder; its tests run with this
environment's Python (already installed from the lock, so nothing is resolved again) and
the clone first on the import path, over a bounded part of the suite: the importer's tests
and the dump tests that use the fixture, the schema file's test, on SQLite. CI is unset for
that run, as on a user's machine, so the shared-file tests skip rather than fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.conftest import SHARED_WHY, require

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = "fixtures/wordpress-theme-unit-test.xml"
# The fast part: files whose tests read ../shared, beside ones that never do.
TESTS = [
    "tests/test_import_wordpress.py",
    "tests/test_dump_load.py::test_the_theme_unit_test_export_moves_to_the_other_database_unchanged",
    "tests/test_dump_load.py::test_the_dump_holds_every_table_and_column_private_ones_too",
    "tests/test_schema_file.py",
]
# The importer's tests that read the theme unit test export: each must skip, nothing else.
FIXTURE_TESTS = {
    "test_theme_unit_test_counts_match_the_file",
    "test_deepest_thread_comes_back_with_parents_depths_and_order",
    "test_unpublished_posts_are_not_public",
    "test_imported_post_fields",
    "test_reimport_changes_nothing",
    "test_theme_unit_test_tags_come_with_their_posts",
    "test_ten_level_thread_reads_back_through_graphql",
    "test_the_theme_unit_test_export_moves_to_the_other_database_unchanged",
}


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_a_fresh_clone_without_shared_passes_and_says_what_it_skipped(tmp_path: Path) -> None:
    require((ROOT / ".git").exists(), f"{ROOT} is not a git clone: nothing to clone from")
    head = _git("rev-parse", "HEAD", cwd=ROOT)
    clone = tmp_path / "threadpress"
    _git("clone", "--quiet", "--no-checkout", str(ROOT), str(clone), cwd=tmp_path)
    _git("checkout", "--quiet", head, cwd=clone)
    assert not (tmp_path / "shared").exists()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS"}},
        "PYTHONPATH": str(clone),
    }

    imported = subprocess.run(
        [sys.executable, "-c", "import threadpress, tests; print(threadpress.__file__)"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = tmp_path / "report.xml"
    pytest = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    options = [f"--basetemp={tmp_path / 'tmp'}", f"--junitxml={report}", "-k", "not postgres"]
    run = subprocess.run(
        [*pytest, *options, *TESTS],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert imported.stdout.strip() == str(clone / "threadpress" / "__init__.py"), imported
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    outcomes: dict[str, set[str]] = {}
    messages: set[str] = set()
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        skipped = case.find("skipped")
        outcome = "skipped" if skipped is not None else "failed" if len(case) else "passed"
        outcomes.setdefault(outcome, set()).add(name)
        if skipped is not None:
            messages.add(skipped.get("message", "").removeprefix("Skipped: "))
    missing = f"{clone.parent / 'shared' / FIXTURE} is missing: {SHARED_WHY}"
    # Exactly the tests that read the fixture skipped, each saying which file is missing;
    # the rest (the importer's hand-written exports, a dump of a built site, the schema) ran.
    assert set(outcomes) == {"passed", "skipped"}, outcomes
    assert outcomes["skipped"] == FIXTURE_TESTS
    assert messages == {missing}
    assert {
        "test_truncated_export_writes_nothing",
        "test_ten_level_thread_keeps_parents_depths_and_order",
        "test_entity_expansion_is_refused",
        "test_the_dump_holds_every_table_and_column_private_ones_too",
        "test_committed_schema_matches_the_code",
    } <= outcomes["passed"]
    # The skip messages reach the terminal too, where a newcomer reads them.
    assert f": {missing}\n" in run.stdout
