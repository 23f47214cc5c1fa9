"""What the visitor asked: language, question kind, follow-up rewriting, glossary terms, small talk."""
