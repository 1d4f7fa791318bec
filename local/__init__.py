"""Models that run in-process, with no network: the offline embedder."""
