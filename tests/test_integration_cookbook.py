"""Every cookbook recipe runs on the examples' graph and answers what the examples say.

The expected answers are facts stated in examples/ (written for this project),
not outputs copied from a run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphstore import store
from graphstore.cookbook import recipe, recipes

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def examples_graph(neo4j_settings, prefect_harness):
    from flows.ingest import ingest_flow
    from newsgraph.connection import connection

    conn = connection(neo4j_settings)
    store.reset(conn)
    store.ensure_schema(conn)
    report = ingest_flow([str(ROOT / "examples")])
    assert report["failed"] == []
    return conn


def _run(conn: store.Connection, name: str, **params: object) -> list[dict]:
    r = recipe(name)
    return store.run_query(conn, r.cypher, {**r.params, **params})


def test_cookbook_has_a_dozen_described_recipes() -> None:
    assert len(recipes()) >= 12
    for r in recipes().values():
        assert r.description and not r.description.startswith("params"), r.path
        for name in r.params:
            assert f"${name}" in r.cypher, f"{r.path.name}: param {name} unused"


def test_every_recipe_runs(examples_graph) -> None:
    for name in recipes():
        _run(examples_graph, name)  # raises on a Cypher error


def test_roles_in_country(examples_graph) -> None:
    rows = _run(examples_graph, "roles_in_country", country="France")
    assert ("Emmanuel Macron", "president") in {(r["person"], r["role"]) for r in rows}
    germany = {(r["person"], r["role"]) for r in _run(examples_graph, "roles_in_country", country="Germany")}
    assert ("Angela Merkel", "chancellor") in germany


def test_multi_document_facts(examples_graph) -> None:
    rows = _run(examples_graph, "multi_document_facts")
    # Macron is France's president in three example articles (02, 05, 01).
    assert any(r["head"] == "Emmanuel Macron" and r["tail"] == "France" and r["documents"] >= 2 for r in rows)
    assert all(r["documents"] >= 2 for r in rows)


def test_family_ties(examples_graph) -> None:
    rows = _run(examples_graph, "family_ties", person="Naruhito")
    assert ("Akihito", "father", "Naruhito") in {(r["relative"], r["kind"], r["of"]) for r in rows}


def test_fact_evidence(examples_graph) -> None:
    rows = _run(examples_graph, "fact_evidence", head="Justin Trudeau", type="HOLDS_ROLE", tail="Canada")
    assert rows and all("trudeau" in r["text"] for r in rows)
    assert {r["document"] for r in rows} == {"05_g7_charlevoix_summit.txt"}
    text = (ROOT / "examples" / "05_g7_charlevoix_summit.txt").read_text(encoding="utf-8")
    for r in rows:
        assert text[r["start"] : r["end"]] == r["text"]


def test_documents_mentioning_both(examples_graph) -> None:
    rows = _run(examples_graph, "documents_mentioning_both", a="Angela Merkel", b="Emmanuel Macron")
    docs = {r["document"] for r in rows}
    # Both are named in the G20 Rome and the G7 Charlevoix articles.
    assert {"01_g20_rome_summit.txt", "05_g7_charlevoix_summit.txt"} <= docs
    assert "03_japan_enthronement.txt" not in docs


def test_events_places_and_dates(examples_graph) -> None:
    places = _run(examples_graph, "places_of_events")
    assert any(r["place"] == "Rome" and "G20 Summit" in r["events"] for r in places)
    dates = {r["date"] for r in _run(examples_graph, "busiest_dates")}
    assert "XXXX-10-30" in dates  # the G20 summit in Rome on October 30


def test_co_mentioned_and_added_since(examples_graph) -> None:
    pairs = store.run_query(examples_graph, recipe("co_mentioned").cypher, {"name": "France", "limit": 50})
    assert pairs and all(r["entity"] == "France" and r["other"] != "France" for r in pairs)
    assert [r["documents"] for r in pairs] == sorted((r["documents"] for r in pairs), reverse=True)
    # Macron is France's president in three example articles.
    assert {"other": "Emmanuel Macron", "label": "Person", "documents": 3} in [
        {k: r[k] for k in ("other", "label", "documents")} for r in pairs]
    added = _run(examples_graph, "added_since", since="2000-01-01T00:00:00Z")
    assert len(added) == 10  # the articles of examples/: five .txt files, five lines of more.jsonl
    assert _run(examples_graph, "added_since", since="2999-01-01T00:00:00Z") == []


def test_shortest_path(examples_graph) -> None:
    rows = _run(examples_graph, "shortest_path", a="Angela Merkel", b="Olaf Scholz")
    # Both hold roles in Germany: Merkel -> Germany <- Scholz is one of the shortest chains.
    assert rows and {r["hops"] for r in rows} == {2}
    assert any(r["chain"] == ["Angela Merkel", "Germany", "Olaf Scholz"] for r in rows)


def test_nationalities(examples_graph) -> None:
    people = {r["person"] for r in _run(examples_graph, "nationalities", country="Japan")}
    assert {"Shinzo Abe", "Naruhito"} <= people


def test_entity_merges(examples_graph) -> None:
    for r in _run(examples_graph, "entity_merges"):
        # A partial name goes only into a person whose name ends with it, with a rule and documents;
        # a candidate moves nothing until accepted.
        assert r["status"] in ("applied", "pending") and r["person"] is not None
        assert r["person"].lower().endswith(r["partial"].lower()) and r["person"] != r["partial"]
        assert r["rule"] in ("shared_role", "shared_country", "shared_document")
        if r["status"] == "applied":
            assert r["documents"] and r["mentions"] >= 1
        else:
            assert r["mentions"] is None


def test_merge_candidates(examples_graph) -> None:
    # 04_mexico_independence_day.txt names "andres manuel lopez obrador" and then "lopez obrador":
    # one shared document is a tie resolution proposes, not one it merges.
    rows = _run(examples_graph, "merge_candidates")
    found = {(r["label"], r["partial"], r["candidate"], r["rule"]): r for r in rows}
    obrador = found[("Person", "Lopez Obrador", "Andres Manuel Lopez Obrador", "shared_document")]
    assert obrador["documents"] == ["04_mexico_independence_day.txt"]
    assert any('"lopez obrador"' in s for s in obrador["sentences"])
    assert any('"andres manuel lopez obrador"' in s for s in obrador["sentences"])
    names = {r["name"] for r in store.run_query(examples_graph, "MATCH (p:Person) RETURN p.name AS name")}
    assert {"Lopez Obrador", "Andres Manuel Lopez Obrador"} <= names


def test_every_recipe_answers_with_its_example_parameters(examples_graph) -> None:
    # `newsgraph cookbook NAME` without --param runs these: on the examples each must say something.
    for name, r in recipes().items():
        assert store.run_query(examples_graph, r.cypher, r.params), f"{name} {r.params}: no rows on examples/"


def test_person_timeline_and_event_participants(examples_graph) -> None:
    # "canada prime minister justin trudeau hosted the g7 summit" (05).
    timeline = _run(examples_graph, "person_timeline", person="Justin Trudeau")
    assert any("G7" in r["event"] and r["role"] == "host" for r in timeline)
    participants = _run(examples_graph, "event_participants", event="G7 Summit")
    assert {"participant": "Justin Trudeau", "kind": "Person", "role": "host"} in [
        {k: r[k] for k in ("participant", "kind", "role")} for r in participants]


def test_fact_evidence_example(examples_graph) -> None:
    r = recipe("fact_evidence")
    rows = store.run_query(examples_graph, r.cypher, r.params)
    assert rows and {row["head"] for row in rows} == {r.params["head"]}
    for row in rows:
        text = (ROOT / "examples" / row["document"]).read_text(encoding="utf-8")
        assert text[row["start"] : row["end"]] == row["text"] and "macron" in row["text"]


def test_country_interactions(examples_graph) -> None:
    rows = _run(examples_graph, "country_interactions")
    assert rows and all(r["country"] < r["other"] for r in rows)
    assert all(not (r["as"] == "venue" and r["other_as"] == "venue") for r in rows)
    # At the calibrated cut-off the meetings and visits that verbs trigger stay out
    # of the graph (issue 10: on the news dev set they were hardly ever facts an
    # analyst wanted); what stays is stated: "germany chancellor angela merkel attended
    # the rome summit" (01) puts Germany at the G20 summit in Rome, whose venue is Italy's.
    pairs = {(r["country"], r["as"], r["through"], r["event"], r["other"], r["other_as"]) for r in rows}
    assert ("Germany", "attendee", "Angela Merkel", "G20 Summit", "Italy", "venue") in pairs, rows
    # Canada hosted the La Malbaie summit; no other country is stated at that summit,
    # so the G7 summit in Cornwall (another event of the same name) pairs it with no one
    assert not any("Canada" in (r["country"], r["other"]) and r["event"] == "G7 Summit" for r in rows), rows


def test_cookbook_command_lists_parameters_and_refuses_unknown_ones() -> None:
    from typer.testing import CliRunner

    from newsgraph.cli import app

    listing = CliRunner().invoke(app, ["cookbook"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    for name, r in recipes().items():
        # Each recipe on a line of its own, its parameters with their example values on the next.
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{name} "))
        assert lines[at + 1].strip().startswith("params:")
        for p in r.parameter_names:
            assert f"{p}=" in lines[at + 1], (name, p)
    assert 'params: person="Justin Trudeau"' in listing.output
    # No Neo4j is needed to refuse a misspelt name: it is checked before the query runs.
    wrong = CliRunner().invoke(app, ["cookbook", "person_timeline", "--param", "persn=Joe Biden"])
    assert wrong.exit_code == 2
    assert "no parameter 'persn'" in wrong.output and "its parameters: person" in wrong.output
    assert "(no rows)" not in wrong.output
    none = CliRunner().invoke(app, ["cookbook", "country_interactions", "--param", "country=France"])
    assert none.exit_code == 2 and "its parameters: none" in none.output


def test_event_occurrences_tell_summits_of_one_name_apart(examples_graph) -> None:
    # The examples name three G20 summits (Rome in 01; New Delhi and, "next year", Rio de
    # Janeiro in more-003) and three G7 summits (Cornwall in 01; La Malbaie and, in 1981,
    # Montebello in 05): six nodes, each with its own place.
    g20 = _run(examples_graph, "event_occurrences", event="G20 Summit")
    assert sorted(p for r in g20 for p in r["places"]) == ["New Delhi", "Rio de Janeiro", "Rome"], g20
    assert len({r["event"] for r in g20}) == 3
    delhi = next(r for r in g20 if r["places"] == ["New Delhi"])
    assert delhi["dates"] == ["2023-09-09"] and delhi["documents"] == ["more-003-g20-new-delhi"]
    g7 = _run(examples_graph, "event_occurrences", event="G7 Summit")
    assert sorted(p for r in g7 for p in r["places"]) == ["Cornwall", "La Malbaie", "Montebello"], g7
    montebello = next(r for r in g7 if r["places"] == ["Montebello"])
    assert montebello["dates"] == ["1981"]
    # Justin Trudeau hosted the La Malbaie summit, not his father's in Montebello
    hosted = [r for r in _run(examples_graph, "person_timeline", person="Justin Trudeau") if r["event"] == "G7 Summit"]
    assert [r["places"] for r in hosted] == [["La Malbaie"]], hosted


def test_events_near_place(examples_graph) -> None:
    # more-004: "prince charles opened the commonwealth games in birmingham"; Birmingham lies
    # about 163 km from London, Rome about 1,100 km from Paris (01: the G20 summit in Rome).
    near_london = _run(examples_graph, "events_near_place", place="London", km=200)
    games = [r for r in near_london if r["event"] == "Commonwealth Games"]
    assert games and games[0]["place"] == "Birmingham" and 155 < games[0]["km"] < 170
    assert games[0]["documents"] == ["more-004-commonwealth-games"]
    assert "G20 Summit" not in {r["event"] for r in near_london}
    assert "Commonwealth Games" not in {r["event"] for r in _run(examples_graph, "events_near_place",
                                                                   place="London", km=100)}
    near_paris = _run(examples_graph, "events_near_place", place="Paris", km=1200)
    assert {"Commonwealth Games", "G20 Summit"} <= {r["event"] for r in near_paris}
    assert [r["km"] for r in near_paris] == sorted(r["km"] for r in near_paris)
    # A country as the centre: the Vatican's point is a few km from Rome's.
    vatican = _run(examples_graph, "events_near_place", place="Vatican City", km=20)
    assert ("G20 Summit", "Rome") in [(r["event"], r["place"]) for r in vatican]
    assert all(r["km"] <= 20 for r in vatican)


def test_people_near_country(examples_graph) -> None:
    # more-004: Charles and Louise Martin attended the Commonwealth Games in Birmingham,
    # within 200 km of the United Kingdom's point (London) but not within 100.
    rows = _run(examples_graph, "people_near_country", country="United Kingdom", km=200)
    people = {r["person"]: r for r in rows}
    assert {"Charles", "Louise Martin"} <= set(people)
    for name in ("Charles", "Louise Martin"):
        assert people[name]["place"] == "Birmingham"
        assert people[name]["facts"] == ["attendee of Commonwealth Games"]
        assert people[name]["documents"] == ["more-004-commonwealth-games"]
    close = {r["person"] for r in _run(examples_graph, "people_near_country", country="United Kingdom", km=100)}
    assert not close & {"Charles", "Louise Martin"}


def test_role_holders_on_date_and_role_history(examples_graph) -> None:
    # more-001 (2022-09-09): "the Queen appointed Liz Truss as Britain's prime minister";
    # more-005 (2024-07-06): "Britain's Prime Minister Keir Starmer", "Britain's former
    # prime minister Liz Truss", "Starmer, the leader of the Labour Party since 2020".
    on = {d: [r["person"] for r in _run(examples_graph, "role_holders_on_date", role="prime minister",
                                        holder="United Kingdom", date=d)]
          for d in ("2022-09-10", "2024-07-06", "2020-01-01")}
    assert on == {"2022-09-10": ["Liz Truss"], "2024-07-06": ["Keir Starmer"], "2020-01-01": []}
    truss = _run(examples_graph, "role_holders_on_date", role="prime minister", holder="United Kingdom",
                 date="2022-09-10")[0]
    assert (truss["closed"], truss["closed_as_of"], truss["first_reported"]) == (
        "reported former", "2024-07-06", "2022-09-09")
    history = [(r["role"], r["of"], r["since"], r["first_reported"])
               for r in _run(examples_graph, "role_history", person="Keir Starmer")]
    assert history == [("leader", "Labour", "2020", "2024-07-06"),
                       ("prime minister", "United Kingdom", None, "2024-07-06")]


def test_fact_stories_count_independent_articles(examples_graph) -> None:
    # "france president emmanuel macron" in 01 (Rome), 02 (Paris) and 05 (La Malbaie): three
    # different articles, so three stories of one document each, and support 3.
    rows = _run(examples_graph, "fact_stories", head="Emmanuel Macron", type="HOLDS_ROLE", tail="France")
    assert [r["documents"] for r in rows] == [["01_g20_rome_summit.txt"], ["02_king_charles_state_visit_france.txt"],
                                              ["05_g7_charlevoix_summit.txt"]]
    assert {r["support"] for r in rows} == {3}
