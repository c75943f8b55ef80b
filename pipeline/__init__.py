"""jixiao pipeline stages: detect, segment, normalize, reconcile, emit, run, CLI."""
