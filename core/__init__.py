"""The core: records, ports, settings, errors and the access policy. Imports nothing of ours."""
