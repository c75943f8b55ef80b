"""make bench: score jixiao and two peers against the hand-written truth."""
