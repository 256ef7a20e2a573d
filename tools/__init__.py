"""Tools beside the product, not installed with it: the seeded synthetic company
(:mod:`tools.synth`: ``python -m tools.synth``) that writes ``data/sample`` and feeds the
benchmarks."""
