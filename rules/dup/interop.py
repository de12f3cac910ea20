"""datasketch objects from corpuslint's signatures and index (imports datasketch).

corpuslint's DUP002 signatures *are* datasketch MinHash hash values (default
``affine32`` scheme, same permutations for the same ``num_perm`` and ``seed``); only
the 32-bit shingle hash differs from datasketch's SHA-1 default, and
``hashfunc()`` gives it to datasketch. So, for the same shingles::

    from datasketch import MinHash
    from corpuslint.rules.dup.interop import hashfunc, minhash, shingles

    m = MinHash(num_perm=128, seed=1, hashfunc=hashfunc())
    m.update_batch(s.encode() for s in shingles(text))
    assert (m.hashvalues == minhash(text).hashvalues).all()

and a user's datasketch code can query an LSH built from the index::

    lsh, sigs = lsh_from_index(".corpuslint/index.sqlite")
    lsh.query(m)   # -> relative paths of candidate near-duplicates
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from corpuslint.rules.dup.minhash import Sketcher
from corpuslint.rules.dup.near import NearOptions, sketcher_for


def sketcher(options: NearOptions | None = None) -> Sketcher:
    return sketcher_for(options or NearOptions())


def hashfunc(options: NearOptions | None = None) -> Any:
    """The shingle hash to pass as ``datasketch.MinHash(hashfunc=...)``."""
    return sketcher(options).datasketch_hashfunc()


def shingles(text: str, options: NearOptions | None = None) -> list[str]:
    """The document's shingles as strings (words joined by one space)."""
    return sketcher(options).shingle_strings(text)


def lean(signature: Any, options: NearOptions | None = None) -> Any:
    """A ``datasketch.LeanMinHash`` holding a corpuslint signature."""
    from datasketch import LeanMinHash

    o = options or NearOptions()
    return LeanMinHash(seed=o.seed, hashvalues=signature, scheme="affine32")


def minhash(text: str, options: NearOptions | None = None) -> Any:
    """corpuslint's signature of ``text`` as a ``datasketch.LeanMinHash``."""
    return lean(sketcher(options).signature(text), options)


def lsh(signatures: dict[str, Any], options: NearOptions | None = None) -> Any:
    """A ``datasketch.MinHashLSH`` with corpuslint's bands, holding ``signatures``."""
    from datasketch import MinHashLSH

    o = options or NearOptions()
    sk = sketcher(o)
    index = MinHashLSH(threshold=o.threshold, num_perm=o.num_perm, params=(sk.bands, sk.rows))
    with index.insertion_session() as session:
        for key, m in signatures.items():
            session.insert(key, m if hasattr(m, "hashvalues") else lean(m, o))
    return index


def signatures_from_index(index_path: str | Path, options: NearOptions | None = None) -> dict:
    """``{relative path: LeanMinHash}`` of every file DUP002 has indexed."""
    import numpy as np

    o = options or NearOptions()
    conn = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT f.path, k.signature FROM dup_near_keys k JOIN files f ON f.id = k.file_id "
            "ORDER BY f.path"
        ).fetchall()
    finally:
        conn.close()
    return {path: lean(np.frombuffer(sig, dtype=np.uint32), o) for path, sig in rows}


def lsh_from_index(index_path: str | Path, options: NearOptions | None = None) -> tuple:
    """(``MinHashLSH``, ``{path: LeanMinHash}``) built from an index."""
    sigs = signatures_from_index(index_path, options)
    return lsh(sigs, options), sigs
