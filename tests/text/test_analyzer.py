from __future__ import annotations

from text import analyzer, sparse


def test_german_chunks_get_german_stems_and_stop_words() -> None:
    terms = analyzer.document_terms("Die Mitarbeiter erhalten die Vergütungen monatlich.")
    assert "die" not in terms  # a German stop word
    assert analyzer.stem("vergütungen", "de") in terms
    assert analyzer.stem("vergütungen", "de") == analyzer.stem("vergütung", "de")


def test_english_chunks_are_analysed_as_before() -> None:
    text = "The employees receive their salaries monthly."
    assert analyzer.document_terms(text) == ["employe", "receiv", "salari", "month"]


def test_compound_is_indexed_with_its_parts() -> None:
    terms = analyzer.document_terms("Der Urlaubsanspruch beträgt dreißig Tage im Jahr.")
    assert {"urlaubsanspruch", "urlaub", "anspruch"} <= set(terms)


def test_compound_parts_need_known_words() -> None:
    assert analyzer.compound_parts("urlaubsanspruch") == ["urlaub", "anspruch"]
    assert analyzer.compound_parts("kündigungsfrist") == ["kündigung", "frist"]
    assert analyzer.compound_parts("donaudampfschiff") == []  # no known part: left whole
    assert analyzer.compound_parts("donaudampfschiff", {"schiff"}) == ["schiff"]
    assert analyzer.compound_parts("anspruch") == []  # too short to be a compound


def _bm25_match(query: str, chunk: str) -> bool:
    q, _ = sparse.query_vector(query)
    d, _ = sparse.document_vector(chunk)
    return bool(set(q) & set(d))


def test_urlaubsanspruch_matches_urlaub_and_anspruch_both_ways() -> None:
    chunk = "Jeder Mitarbeiter hat einen Urlaubsanspruch von dreißig Tagen pro Kalenderjahr."
    assert _bm25_match("Wie viel Urlaub bekomme ich?", chunk)
    assert _bm25_match("Wann entsteht der Anspruch?", chunk)
    plain = "Der Anspruch auf Urlaub entsteht nach sechs Monaten Betriebszugehörigkeit."
    q, _ = sparse.query_vector("Wie hoch ist mein Urlaubsanspruch?")
    d, _ = sparse.document_vector(plain)
    urlaub, anspruch = sparse.term_index("urlaub"), sparse.term_index("anspruch")
    assert {urlaub, anspruch} <= set(q) & set(d)


def test_short_question_is_analysed_as_german_and_english() -> None:
    terms = analyzer.query_terms("Notice period?")
    assert {"notic", "period"} <= set(terms)  # English stems, whatever the detector says
    german = analyzer.query_terms("Wie lang ist die Kündigungsfrist für Angestellte?")
    assert "kundigungsfrist" in german and "frist" in german
    assert "angestellt" in german


def test_scheme_names_the_analysis() -> None:
    assert "lang" in sparse.SCHEME  # changed with the language-aware analysis


def test_stemming_runs_snowballs_c_stemmers() -> None:
    # PyStemmer is a dependency: snowballstemmer picks its C stemmers (same algorithms, ~12x
    # faster) when it is installed; without it every parser process stems in pure Python.
    import snowballstemmer
    import Stemmer

    assert snowballstemmer.stemmer is Stemmer.Stemmer
    assert analyzer.stem("kündigungsfristen", "de") == "kundigungsfrist"
    assert analyzer.stem("running", "en") == "run"


def test_each_thread_stems_with_a_stemmer_of_its_own() -> None:
    import threading

    seen: list[object] = []

    def grab() -> None:
        seen.append(analyzer._stemmer("de"))
        assert analyzer._stemmer("de") is seen[-1]  # kept for the thread's next word

    threads = [threading.Thread(target=grab) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(s) for s in seen}) == 3
