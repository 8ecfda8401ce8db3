"""Pages of the rectification app."""
