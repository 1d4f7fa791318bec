"""Argument types the subcommands share."""

from __future__ import annotations

import argparse

from core.errors import RagError
from core.names import check_collection_name


def collection_arg(value: str) -> str:
    """argparse's type for --collection: the one collection-name rule, or a one-line error."""
    try:
        return check_collection_name(value)
    except RagError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
