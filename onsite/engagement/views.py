"""Pages of the engagement app."""
