"""netmap's benchmarks (``python -m benchmarks.bench``); not part of the installed library."""
