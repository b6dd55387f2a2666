"""Reading documents and splitting them into sections, passages and sentences with character offsets."""
