"""Corpus files -> documents -> sentence-aligned chunks -> the on-disk index (build, store)."""
