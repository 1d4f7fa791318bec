"""Many short strings in one buffer: what a run keeps for each of 100,000 files.

A `str` costs ~50 bytes beside its text; `PackedStrings` keeps the text (UTF-8, undecodable file
name bytes escaped as Python escaped them) and where it ends, ~8 bytes more. The run's file list
(`ingest.discover.FileList`) and its report (`core.records.Outcomes`) keep their names here.
"""

from __future__ import annotations

from array import array


class PackedStrings:
    __slots__ = ("_data", "_ends")

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("Q")  # where each string ends in _data

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8", "surrogateescape")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode("utf-8", "surrogateescape")
