"""Retrieval evaluation: metrics, dataset readers, the runner and the `rag eval` command."""
