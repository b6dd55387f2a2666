"""The eval's metrics: a gold phrase is found in a quote as read, whatever line breaks a wrapped text put in it."""

from server.answer.evaluate import holds


def test_gold_phrase_is_found_across_a_hard_wrapped_line_break() -> None:
    assert holds("the regional cities of Ballarat,\nBendigo and Geelong.", ["Ballarat, Bendigo and Geelong"])
    assert holds("Gene therapy  modifies genes.", ["therapy modifies"])


def test_gold_phrase_must_still_be_there_word_for_word() -> None:
    assert not holds("the regional cities of Ballarat and Geelong.", ["Ballarat, Bendigo and Geelong"])
    assert not holds("Ballarat-Bendigo", ["Ballarat Bendigo"])
