"""Uploaded files: bounded in size and type, named so they can never leave the upload folder.

Pure apart from writing the file. Uploads land in `<data_dir>/uploads/<collection>/<name>`; the
name is reduced to a plain file name (no folders, no `..`, no control or shell characters) and
the final path is checked to sit inside the folder before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from pathlib import Path

from core.i18n import Messages
from core.names import valid_collection_name
from core.settings import Settings

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_NAME = 120


def sanitize_filename(name: str) -> str:
    """A safe plain file name for `name`, keeping its suffix (`../../x.pdf` -> `x.pdf`)."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"\s+", " ", name)
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (
            f"{stem[: MAX_NAME - len(suffix) - 1]}.{suffix}"
            if dot and len(suffix) < 10
            else name[:MAX_NAME]
        )
    return name or "upload"


def upload_dir(settings: Settings, collection: str) -> Path:
    if not valid_collection_name(collection):
        raise ValueError(f"not a collection name: {collection!r}")
    return settings.data_dir / "uploads" / collection


def upload_problem(
    name: str, size: int, *, max_mb: int, suffixes: Collection[str], t: Messages
) -> str | None:
    """Why this upload is refused, in one line in `t`'s language; None when it is fine."""
    suffix = Path(sanitize_filename(name)).suffix.lower()
    if suffix not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        shown = suffix or t("upload_no_suffix")
        return t("upload_bad_type", name=name, suffix=shown, allowed=allowed)
    if size > max_mb * 1024 * 1024:
        return t("upload_too_big", name=name, size=f"{size / 1024 / 1024:.1f}", mb=max_mb)
    if size == 0:
        return t("upload_empty", name=name)
    return None


def upload_name(name: str, taken: Collection[str] = ()) -> str:
    """The name `save_upload` gives an upload named `name`, with `taken` already written."""
    return unique_name(sanitize_filename(name), taken)


def unique_name(name: str, taken: Collection[str]) -> str:
    """`name`, or `stem-2.suffix`, `stem-3.suffix`… the first one not in `taken`."""
    if name not in taken:
        return name
    path = Path(name)
    number = 2
    while f"{path.stem}-{number}{path.suffix}" in taken:
        number += 1
    return f"{path.stem}-{number}{path.suffix}"


def save_upload(name: str, data: bytes, directory: Path, *, taken: set[str] | None = None) -> Path:
    """Write the upload under `directory` and return its path.

    An older upload of the same name (from an earlier batch) is replaced. Within one batch,
    `taken` holds the names already written: two files that sanitise to the same name
    (`x?.md`, `x*.md`) become `x_.md` and `x_-2.md`, never one overwriting the other.
    """
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    name = upload_name(name, taken or ())
    if taken is not None:
        taken.add(name)
    target = (root / name).resolve()
    if target.parent != root:  # cannot happen after sanitising; checked anyway
        raise ValueError(f"refusing to write outside {root}: {name!r}")
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(data)
    partial.replace(target)
    return target
