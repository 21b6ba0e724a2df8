"""newsletter: turn an archive of MS research summaries into a monthly email newsletter."""

__version__ = "0.1.0"
