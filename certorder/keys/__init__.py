"""Private keys made and kept by the workers: generation, the KEK, envelope encryption."""
