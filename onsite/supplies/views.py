"""Pages of the supplies app."""
