"""What an import did, counted per kind, and the report people read after it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("posts", "pages", "comments", "authors", "categories", "tags", "menus", "menu items")

# How each skipped thing is named in the report: (singular, plural).
_SKIPPED_NAMES: dict[str, tuple[str, str]] = {
    "attachment": ("attachment", "attachments"),
    "menu item linking to a page": ("menu item linking to a page", "menu items linking to pages"),
    "menu item linking to a tag": ("menu item linking to a tag", "menu items linking to tags"),
    "menu item linking to something not imported": (
        "menu item linking to something not imported",
        "menu items linking to things not imported",
    ),
    "pingback": ("pingback", "pingbacks"),
    "trackback": ("trackback", "trackbacks"),
    "trashed post": ("trashed post", "trashed posts"),
    "trashed page": ("trashed page", "trashed pages"),
    "comment on a page": ("comment on a page", "comments on pages"),
    "comment on a skipped item": ("comment on a skipped item", "comments on skipped items"),
}


@dataclass
class KindCount:
    """Rows of one kind: created, changed, or already as the file says."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """The outcome of `import_wxr`: counts per kind, what was skipped and why, and notes."""

    source: str = ""
    wxr_version: str = ""
    counts: dict[str, KindCount] = field(default_factory=lambda: {k: KindCount() for k in KINDS})
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        """Add `n` to `outcome` ("imported", "updated", "unchanged") of `kind`."""
        counts = self.counts[kind]
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def skip(self, what: str, n: int = 1) -> None:
        """Count `n` things of kind `what` that were not imported."""
        self.skipped[what] += n

    def note(self, what: str, n: int = 1) -> None:
        """Count `n` occurrences of something imported but worth telling (a fallback taken)."""
        self.notes[what] += n

    @property
    def changed_anything(self) -> bool:
        """Whether the import created or updated any row."""
        return any(c.imported or c.updated for c in self.counts.values())

    def as_json(self) -> dict[str, Any]:
        """The same summary as one JSON-ready object, for scripts (`import --json`): per
        kind what was imported, updated and unchanged; what was left out, by the names the
        report uses; the notes; and whether anything changed."""
        return {
            "source": self.source,
            "wxrVersion": self.wxr_version,
            "kinds": {kind: vars(self.counts[kind]).copy() for kind in KINDS},
            "leftOut": {_skipped_name(what, n): n for what, n in sorted(self.skipped.items())},
            "notes": dict(sorted(self.notes.items())),
            "changed": self.changed_anything,
        }

    def report(self) -> str:
        """A human summary of the import, a few lines long."""
        lines = [f"Imported {self.source} (WXR {self.wxr_version}):"]
        width = max(len(kind) for kind in KINDS) + 1
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(
                f"  {kind + ':':<{width}} {c.imported} imported, {c.updated} updated, "
                f"{c.unchanged} unchanged"
            )
        if self.skipped:
            parts = [_skipped_phrase(what, n) for what, n in sorted(self.skipped.items())]
            lines.append("  not imported: " + ", ".join(parts))
        else:
            lines.append("  not imported: nothing")
        for what, n in sorted(self.notes.items()):
            lines.append(f"  note: {n} {what}")
        if not self.changed_anything:
            lines.append("  Everything was already up to date: nothing changed.")
        return "\n".join(lines)


def _skipped_name(what: str, n: int) -> str:
    singular, plural = _SKIPPED_NAMES.get(what, (what, what + "s"))
    return singular if n == 1 else plural


def _skipped_phrase(what: str, n: int) -> str:
    return f"{n} {_skipped_name(what, n)}"
