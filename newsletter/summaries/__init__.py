"""Summaries: the content objects (model), reading one file (frontmatter, parse), the loaded
collection (library) and its index cache (index)."""
