"""Pages of the inspections app."""
