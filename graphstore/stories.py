"""Near-duplicate documents grouped into stories, inside the load's transaction.

Each document carries the MinHash signature of its word shingles (mapped from
its text, schema/shingles.py) and, in Neo4j, the signature's band keys in a
full-text index. A batch's documents are compared with the documents of earlier
batches that share a band with them (one index look-up per document, all in one
statement) and with each other (datasketch's in-memory LSH); a pair whose
estimated similarity reaches the threshold is linked by SAME_STORY_AS.

A story is a connected group of linked documents; its id, each member's `story`
property, is the smallest source id in it, so any load order gives the same
stories. Linking a document to two stories joins them; forgetting a document,
or a changed text, may split one. Whenever members' stories change, the facts
they support are summarised again (cypher._SUMMARISE_EVIDENCE counts stories).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from datasketch import MinHash
from neo4j import ManagedTransaction

from graphstore import cypher
from schema import shingles


def document_rows(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents' rows with their band keys (or none, when a document has no
    signature: `null` removes what a changed document had before)."""
    rows = []
    for row in documents:
        props = dict(row["props"])
        encoded = props.get("minhash")
        props["minhash"] = encoded
        props["story_bands"] = " ".join(shingles.band_keys(shingles.decode(encoded))) if encoded else None
        rows.append({**row, "props": props})
    return rows


def _pair(a: str, b: str) -> tuple[str, str]:
    """A link's direction: from the larger source id to the smaller (one per pair, whatever the order of loading)."""
    return (a, b) if a > b else (b, a)


def _link_rows(links: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
    return [{"a": a, "b": b, "similarity": round(s, 4)} for (a, b), s in sorted(links.items())]


@dataclass
class Candidates:
    """The batch's signatures and the documents of earlier batches that share a band with them."""

    signatures: dict[str, MinHash]
    found: list[tuple[str, str, str, str | None]]  # (batch document, other document, its signature, its story)


def candidates(tx: ManagedTransaction, documents: list[dict[str, Any]]) -> Candidates:
    """`documents`: as document_rows gives them. Looked up first in the load's
    transaction, right after the load lock (cypher.LOAD_LOCK), so a load that
    ran beside this one has committed its documents: a full-text query in a
    transaction that has already written to the index's label must search
    those writes too, which costs far more than the query itself."""
    signatures = {row["props"]["source_id"]: shingles.decode(row["props"]["minhash"])
                  for row in documents if row["props"].get("minhash")}
    rows = [{"id": row["props"]["source_id"], "bands": row["props"]["story_bands"]}
            for row in documents if row["props"].get("story_bands")]
    found = []
    if rows:
        ids = sorted(row["props"]["source_id"] for row in documents)
        found = [(r["id"], r["other"], r["minhash"], r["story"])
                 for r in tx.run(cypher.STORY_CANDIDATES, rows=rows, ids=ids)]
    return Candidates(signatures, found)


def group(tx: ManagedTransaction, documents: list[dict[str, Any]], found: Candidates, threshold: float) -> None:
    """Link the batch's documents (already written) to their near-duplicates, in
    the graph (`found` before the batch was written) and in the batch, and give
    every document concerned its story."""
    ids = sorted(row["props"]["source_id"] for row in documents)
    affected = unlink(tx, ids)
    signatures = found.signatures
    links: dict[tuple[str, str], float] = {}
    for doc_id, other, encoded, story in found.found:
        score = shingles.similarity(signatures[doc_id], shingles.decode(encoded))
        if score >= threshold:
            links[_pair(doc_id, other)] = score
            affected.add(story or other)
    index = shingles.new_index()
    for doc_id, sig in signatures.items():
        index.insert(doc_id, sig)
    for doc_id, sig in signatures.items():
        for other in index.query(sig):
            if other != doc_id:
                score = shingles.similarity(sig, signatures[other])
                if score >= threshold:
                    links[_pair(doc_id, other)] = score
    if links:
        tx.run(cypher.LINK_STORIES, rows=_link_rows(links)).consume()
    regroup(tx, affected, ids=ids, fresh=ids)


def restore(tx: ManagedTransaction, documents: list[dict[str, Any]], links: list[dict[str, str]]) -> None:
    """An import: the batch's links as recorded (stories come with the documents),
    each with its similarity computed again from the two signatures."""
    ids = sorted(row["props"]["source_id"] for row in documents)
    tx.run(cypher.UNLINK_STORIES, ids=ids).consume()
    encoded = {row["uri"]: row["props"].get("minhash") for row in documents}
    rows = []
    for link in links:
        a, b = encoded.get(link["a"]), encoded.get(link["b"])
        score = round(shingles.similarity(shingles.decode(a), shingles.decode(b)), 4) if a and b else None
        rows.append({**link, "similarity": score})
    if rows:
        tx.run(cypher.RESTORE_STORY_LINKS, rows=rows).consume()


def regroup(tx: ManagedTransaction, stories: Iterable[str], *, ids: Iterable[str] = (),
            fresh: Iterable[str] = ()) -> None:
    """Give every document of these stories (and these documents) the story of
    its group of links as they are now; the facts of the documents whose story
    changed are summarised again, except `fresh` ones, whose evidence is not
    loaded yet (it is summarised as it lands)."""
    story_of: dict[str, str | None] = {}
    linked: dict[str, list[str]] = {}
    wanted_stories, wanted_ids = sorted(set(stories)), sorted(set(ids))
    while wanted_stories or wanted_ids:
        for r in tx.run(cypher.STORY_MEMBERS, stories=wanted_stories, ids=wanted_ids):
            story_of[r["id"]] = r["story"]
            linked[r["id"]] = r["linked"]
        # A link always joins documents of one story; one that leads outside
        # what was read (a document from before stories were kept) is followed.
        wanted_stories = []
        wanted_ids = sorted({o for others in linked.values() for o in others} - set(story_of))
    parent = {doc_id: doc_id for doc_id in story_of}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for doc_id, others in linked.items():
        for other in others:
            a, b = root(doc_id), root(other)
            if a != b:  # the smaller id stays the root: it names the story
                parent[max(a, b)] = min(a, b)
    changed = sorted(doc_id for doc_id in story_of if story_of[doc_id] != root(doc_id))
    if changed:
        tx.run(cypher.SET_STORIES, rows=[{"id": doc_id, "story": root(doc_id)} for doc_id in changed]).consume()
        settled = sorted(set(changed) - set(fresh))
        if settled:
            tx.run(cypher.RESUMMARISE_EVIDENCE, ids=settled).consume()


def unlink(tx: ManagedTransaction, ids: list[str]) -> set[str]:
    """Before documents are deleted: their links go; their stories are returned, to group again."""
    record = tx.run(cypher.UNLINK_STORIES, ids=ids).single()
    return set(record["stories"]) if record else set()
