"""Pages of the standards app."""
