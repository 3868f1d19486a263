"""The Neo4j driver as the loader uses it: its parameters packed in Rust.

A batch's load sends tens of thousands of values (rows of uris, names,
offsets, evidence lists); the driver's pure-Python packing of them was about
half of the loader's own CPU. `neo4j-rust-ext` (a dependency in pyproject.toml)
replaces it, and the driver falls back to Python without a word when it is
missing, so the install is checked here. The loads themselves, points and
evidence lists included, run through it in every integration test.
"""

from __future__ import annotations

from neo4j._codec.packstream import v1


def test_the_driver_packs_in_rust() -> None:
    assert v1._rust_pack is not None and v1._rust_unpack is not None

