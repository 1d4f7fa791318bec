"""Text analysis shared by ingest and retrieval: token counts and BM25 terms. Pure functions."""
