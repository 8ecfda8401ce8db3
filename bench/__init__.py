"""The benchmark and load scenarios (make bench); see docs/performance.md."""
