"""The organisation's pages, one module per sub-domain."""
