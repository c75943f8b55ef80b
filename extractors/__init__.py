"""One extractor per input kind, each returning the Grid model."""
