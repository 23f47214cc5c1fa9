"""What staff operate: the question and feedback log, and changes to the corpus."""
