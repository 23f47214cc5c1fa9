"""Question -> ranked passages: each retriever, their fusion, and language centering."""
