"""The vector store: Qdrant Edge embedded, or a Qdrant server by URL."""
