"""The client of the IONOS AI Model Hub (and any OpenAI-compatible server)."""
