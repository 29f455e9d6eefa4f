"""A static-site build's fetch from Threadpress, in Python with httpx.

The first run streams every public node from /export.ndjson and keeps the sync token; every
later run asks `changes` for what happened since and keeps the new token. A real build
would write pages where this prints counts.

    THREADPRESS_TOKEN=tp_... python examples/sync.py --url http://127.0.0.1:8000 --state .sync
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import httpx

CHANGES = """
query Sync($since: String) {
  changes(since: $since, first: 500) {
    entries { kind typename id contentDigest node { id ... on Post { uri title } } }
    nextToken
    hasMore
  }
}
"""


def full_fetch(client: httpx.Client) -> tuple[dict[str, int], str]:
    """Every public node, counted by type; the token to continue from."""
    counts: dict[str, int] = {}
    token = None
    with client.stream("GET", "/export.ndjson") as response:
        response.raise_for_status()
        for line in response.iter_lines():
            item = json.loads(line)
            if "nextToken" in item:
                token = item["nextToken"]
            else:
                counts[item["typename"]] = counts.get(item["typename"], 0) + 1
    if token is None:
        sys.exit("the export was cut short (no nextToken line): fetch again")
    return counts, token


def incremental_fetch(client: httpx.Client, since: str) -> tuple[dict[str, int], str]:
    """What changed since `since`, counted by kind; the new token."""
    counts = {"UPSERT": 0, "DELETE": 0}
    while True:
        response = client.post("/graphql", json={"query": CHANGES, "variables": {"since": since}})
        response.raise_for_status()
        body = response.json()
        if "errors" in body:
            sys.exit(f"Threadpress refused the sync: {body['errors']}")
        feed = body["data"]["changes"]
        for entry in feed["entries"]:
            counts[entry["kind"]] += 1
        since = feed["nextToken"]
        if not feed["hasMore"]:
            return counts, since


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--state", default=".threadpress-sync-token", help="token file")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {os.environ['THREADPRESS_TOKEN']}"}
    state = Path(args.state)
    with httpx.Client(base_url=args.url, headers=headers, timeout=60) as client:
        if state.exists():
            counts, token = incremental_fetch(client, state.read_text().strip())
            print(f"incremental fetch: {counts['UPSERT']} upserts, {counts['DELETE']} deletes")
        else:
            counts, token = full_fetch(client)
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            print(f"full fetch: {summary}")
    state.write_text(token + "\n")


if __name__ == "__main__":
    main()
