"""Pages of the dashboards app."""
