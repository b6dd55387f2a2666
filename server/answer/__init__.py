"""How an answer is chosen: retrieval fusion, sentence selection, abstention, follow-ups, evaluation. No web framework."""
