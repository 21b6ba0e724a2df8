"""The check rules, one module per group; `newsletter.checks.registry` lists them in order."""
