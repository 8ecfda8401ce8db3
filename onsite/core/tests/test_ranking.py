from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from onsite.core.ranking import competition_ranks


def test_equal_values_share_a_rank_and_the_next_skips():
    ranks = competition_ranks({"a": Decimal("90.5"), "b": 80, "c": Decimal("90.5"), "d": 70})
    assert ranks == {"a": 1, "c": 1, "b": 3, "d": 4}


@given(st.dictionaries(st.integers(), st.integers(min_value=0, max_value=5), max_size=30))
def test_a_rank_is_one_plus_the_number_of_better_values(values):
    ranks = competition_ranks(values)
    for key, value in values.items():
        assert ranks[key] == 1 + sum(1 for other in values.values() if other > value)
