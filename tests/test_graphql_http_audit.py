"""The real server passes every audit of graphql-http's GraphQL-over-HTTP suite, warnings
included."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require
from tests.live_server import ROOT, live_server

AUDIT_SCRIPT = ROOT / "tests" / "audit" / "run-audit.mjs"
GRAPHQL_HTTP = ROOT / "node_modules" / "graphql-http" / "package.json"
AUDIT_SECONDS = 120.0


def test_server_passes_every_graphql_over_http_audit(tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed: the graphql-http audit needs it")
    require(GRAPHQL_HTTP.is_file(), "graphql-http is not installed: run `npm ci`")
    assert node is not None

    with live_server(tmp_path) as url:
        audit = subprocess.run(
            [node, str(AUDIT_SCRIPT), f"{url}/graphql"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=AUDIT_SECONDS,
        )

    assert audit.returncode == 0, audit.stderr
    report = json.loads(audit.stdout)
    counts = report["counts"]
    print(
        f"graphql-http audit: {counts['ok']} pass, {counts['warn']} warn, "
        f"{counts['error']} error, {counts['notice']} notice of {report['total']}"
    )
    failed = [result for result in report["results"] if result["status"] != "ok"]
    assert failed == []
    assert counts == {"ok": report["total"], "notice": 0, "warn": 0, "error": 0}
    assert report["total"] >= 61
