"""Answering questions from the index, and serving that to people (web chat) and programs (HTTP, CLI)."""
