"""Pages of the redtags app."""
