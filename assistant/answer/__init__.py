"""Ranked passages -> the reply: sentence ranking, the quote, answer-or-decline, and its rendering."""
