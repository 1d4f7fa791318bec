"""`rag hash-password`: the Argon2 hash to put in RAG_AUTH_PASSWORD or RAG_AUTH_USERS.

Reads the password without echo from a terminal (twice, to catch a typo), or one line from
standard input when it is piped (`printf %s "$PW" | rag hash-password`). Needs no services.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from core.errors import ConfigError
from core.passwords import hash_password


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "hash-password", help="print the hash of a sign-in password for RAG_AUTH_USERS"
    )
    parser.set_defaults(handler=None, hash_password=True)


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise ConfigError("the two passwords differ; nothing was hashed")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise ConfigError("the password is empty; nothing was hashed")
    return password


def run(stdin: TextIO | None = None) -> int:
    print(hash_password(read_password(stdin or sys.stdin)))
    return 0
