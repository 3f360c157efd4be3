"""Receipt numbers: the day in Shanghai and six characters easy to read out on the phone, each drawn evenly."""
import re
from collections import Counter

from portal.comments.services import RECEIPT_ALPHABET, new_receipt_number
from tests.helpers import shanghai


def test_a_receipt_number_is_the_day_in_shanghai_and_six_readable_characters(app, clock):
    clock.set(shanghai(2023, 5, 12, 0, 30))  # 16:30 UTC the day before: the Shanghai day counts
    with app.app_context():
        numbers = [new_receipt_number() for _ in range(3000)]
    assert all(re.fullmatch(r"20230512-[A-HJ-NP-Z2-9]{6}", n) for n in numbers), numbers[:5]
    assert len(RECEIPT_ALPHABET) == 32 and not set("01IO") & set(RECEIPT_ALPHABET)
    for position in range(9, 15):  # every character can come at every place (a chance below 1e-38 to miss one)
        assert set(Counter(n[position] for n in numbers)) == set(RECEIPT_ALPHABET), position
    assert len(set(numbers)) > 2990  # 32^6 = 1.07e9 a day: repeats among 3,000 are rare
