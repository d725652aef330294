"""What keeps one answer in a study session cheap (issue 14, item 2), checked by what is computed, never by
timing it. The figures are benchmarks/anki_peer.py's (docs/benchmarks.md)."""

from quizzer.model import Blank, Card, Deck, Kind
from quizzer.session import Neighbours

DECK = Deck(id="d", title="D", cards=(
    Card(id="mali", kind=Kind.TYPED, question="Capital of Mali?", answer="Bamako"),
    Card(id="coup", kind=Kind.CLOZE, question="{{Sanogo}} led it in {{2012}}.", answer="",
         blanks=(Blank("Sanogo"), Blank("2012"))),
    Card(id="flash", kind=Kind.FLASH, question="Who?", answer="Nobody types this"),
    Card(id="niger", kind=Kind.TYPED, question="Capital of Niger?", answer="Niamey"),
))


def test_a_cards_neighbours_are_every_other_cards_typed_answers_in_deck_order():
    neighbours = Neighbours(DECK)
    assert neighbours.besides("mali") == ("Sanogo", "2012", "Niamey")
    assert neighbours.besides("coup") == ("Bamako", "Niamey")  # both of its own blanks left out
    assert neighbours.besides("flash") == ("Bamako", "Sanogo", "2012", "Niamey")
    assert neighbours.besides("niger") == ("Bamako", "Sanogo", "2012")
    assert neighbours.besides("not in the deck") == ("Bamako", "Sanogo", "2012", "Niamey")
