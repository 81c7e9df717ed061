"""Text units of the corpus: sentences, tokens, and the brat round trip."""
