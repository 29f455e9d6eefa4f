"""Importing WordPress exports (WXR files) into Threadpress.

`import_wxr(path)` reads the file twice, streaming: once to validate all of it, then to write
authors, categories, posts and comments in one transaction. Bad input raises `ImportRefused`
with a message for people, and nothing is written.
"""

from threadpress.wordpress.errors import ImportRefused
from threadpress.wordpress.importer import import_wxr
from threadpress.wordpress.summary import ImportSummary

__all__ = ["ImportRefused", "ImportSummary", "import_wxr"]
