"""What the tool keeps on disk: outputs written whole or not at all (output), and the caches
that only ever save time (cache)."""
