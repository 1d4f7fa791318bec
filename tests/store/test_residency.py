from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import sys
from pathlib import Path

import pytest

from store.residency import cap_heap_arenas, mapped_ranges, page_out, trim_heap

MAPS = """\
7f00a0000000-7f00a0200000 rw-s 00000000 103:02 12 /data/store/docs/shard/wal/open-1
7f00a0400000-7f00a0500000 r--s 00000000 103:02 13 /data/store/docs/shard/segments/a b/x.dat
7f00a0600000-7f00a0700000 rw-s 00000000 103:02 14 /data/store/docs-old/shard/wal/open-1
7f00a0800000-7f00a0900000 rw-p 00000000 00:00 0
7f00a0a00000-7f00a0b00000 r-xp 00000000 103:02 15 /usr/lib/libc.so.6
"""


def test_residency_finds_only_the_mappings_of_files_under_the_folder() -> None:
    ranges = mapped_ranges(Path("/data/store/docs"), MAPS)
    assert ranges == [(0x7F00A0000000, 0x7F00A0200000), (0x7F00A0400000, 0x7F00A0500000)]


def _resident_kb(path: Path) -> int:
    """Rss of this process's mappings of `path` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and not fields[0].endswith(":"):
            inside = fields[-1] == str(path)
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


def _filesystem(path: Path) -> str:
    """The type of the file system `path` is on (/proc/mounts: the longest mount point)."""
    mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    inside = [(point, kind) for point, kind in mounts if path.is_relative_to(point)]
    return max(inside, key=lambda mount: len(mount[0]))[1] if inside else ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and MADV_PAGEOUT: Linux")
def test_residency_page_out_gives_pages_back_and_loses_no_write(tmp_path: Path) -> None:
    if _filesystem(tmp_path.resolve()) in ("tmpfs", "ramfs"):
        pytest.skip("the temp folder is in memory: its pages can only go to swap")
    path = tmp_path / "segment.dat"
    size = 8 << 20
    path.write_bytes(bytes(size))
    with path.open("r+b") as file, mmap.mmap(file.fileno(), size) as mapped:
        for offset in range(0, size, mmap.PAGESIZE):  # touch and dirty every page
            mapped[offset] = offset // mmap.PAGESIZE % 251
        before = _resident_kb(path.resolve())

        advised = page_out(tmp_path)
        if advised == 0:
            pytest.skip("this kernel does not take MADV_PAGEOUT (before Linux 5.4)")
        after = _resident_kb(path.resolve())

        assert advised == size and before >= 8 * 1024 - 64
        assert after < before / 2
        assert all(  # written back, not dropped: every write reads back
            mapped[offset] == offset // mmap.PAGESIZE % 251
            for offset in range(0, size, mmap.PAGESIZE)
        )
    assert path.read_bytes()[mmap.PAGESIZE] == 1


def _private_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and glibc: Linux")
def test_residency_trim_heap_gives_the_freed_heap_back() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    block = 32 << 10  # under glibc's mmap threshold: these come from the heap
    blocks = [libc.malloc(block) for _ in range(800)]  # 25 MB, as an optimization leaves
    for address in blocks:
        ctypes.memset(address, 1, block)
    for address in blocks[:-1]:  # the last one pins the top: only a trim gives the rest back
        libc.free(address)
    before = _private_kb()

    trimmed = trim_heap()
    if not trimmed and not hasattr(libc, "malloc_trim"):
        pytest.skip("not glibc: no malloc_trim")
    after = _private_kb()
    libc.free(blocks[-1])

    assert trimmed and before - after > 15 * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux")
def test_residency_cap_heap_arenas_is_taken_by_glibc() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallopt") or not hasattr(libc, "gnu_get_libc_version"):
        pytest.skip("not glibc: no arenas to cap")
    assert cap_heap_arenas() is True
