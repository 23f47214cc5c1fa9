"""Staff-curated answers: their store and the matcher consulted before the corpus."""
