"""Embedding, storing and searching passages and sentences: FAISS for vectors, BM25 for words."""
