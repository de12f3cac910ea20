"""The LSH band table of the index: one packed integer per (band key, file).

An entry is the band key with its low ``FILE_BITS`` bits replaced by the file id,
stored as the rowid of ``dup_near_bands``: inserting is appending to one B-tree
and finding the files of a band key is one range scan. Dropping the key's low
bits merges keys that differ only there (about one band in 2**36 per lookup): a
false candidate, which verification rejects, never a missed one.
"""

from __future__ import annotations

from typing import Any

FILE_BITS = 28
FILE_MASK = (1 << FILE_BITS) - 1
MAX_FILE_ID = FILE_MASK


def entries_of(np: Any, keys: Any, owners: Any) -> Any:
    """Packed entries of band ``keys`` (int64) owned by file ids ``owners`` (arrays);
    with ``np`` None: of a list of keys (Python ints) owned by one file id."""
    if np is None:
        if owners > MAX_FILE_ID:
            raise ValueError(_TOO_MANY)
        return [(key & ~FILE_MASK) | owners for key in keys]
    if len(owners) and int(owners.max()) > MAX_FILE_ID:
        raise ValueError(_TOO_MANY)
    return (keys & np.int64(~FILE_MASK)) | owners.astype(np.int64)


_TOO_MANY = f"file id above {MAX_FILE_ID}: rebuild the index (corpuslint index build)"


def key_range(key: int) -> tuple[int, int]:
    low = key & ~FILE_MASK
    return low, low | FILE_MASK


def insert_entries(db: Any, entries: Any) -> None:
    """Insert entries (sorted: appends to the B-tree), many per statement."""
    values = entries.tolist() if hasattr(entries, "tolist") else list(entries)
    per = 10_000
    full = "INSERT OR IGNORE INTO dup_near_bands VALUES " + ",".join(["(?)"] * per)
    for start in range(0, len(values), per):
        part = values[start : start + per]
        sql = (
            full
            if len(part) == per
            else ("INSERT OR IGNORE INTO dup_near_bands VALUES " + ",".join(["(?)"] * len(part)))
        )
        db.execute(sql, part)


def lookup(db: Any, keys: list[int]) -> dict[int, list[int]]:
    """File ids of each band key (by range scans; keys sharing high bits share results)."""
    out: dict[int, list[int]] = {}
    for key in keys:
        low, high = key_range(key)
        ids = [
            e & FILE_MASK
            for (e,) in db.execute(
                "SELECT entry FROM dup_near_bands WHERE entry BETWEEN ? AND ?", (low, high)
            )
        ]
        if ids:
            out[key] = ids
    return out
