"""Post tags: the `Tag` type, its root queries and its authoring mutations."""
