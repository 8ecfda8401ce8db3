"""Pages of the programme app."""
