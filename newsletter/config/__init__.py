"""newsletter.toml: its schema (fields, schema), reading it (load), the commented default file
(default_file) and a new workspace (starter)."""
