"""Properties that must hold for any input (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crm_xl.core.normalize import form_scale, linear, min_max
from crm_xl.core.scoring import multidimensional_score, weighted_score

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
score_value = st.one_of(st.none(), st.floats(min_value=0, max_value=100))
positive_weight = st.floats(min_value=0.01, max_value=1000)


@st.composite
def table_and_weights(draw, max_k=6):
    k = draw(st.integers(1, max_k))
    n = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(score_value, min_size=k, max_size=k), min_size=n, max_size=n))
    weights = draw(st.lists(positive_weight, min_size=k, max_size=k))
    return rows, weights


@given(table_and_weights(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_all_weights_by_a_constant_changes_nothing(data, factor):
    rows, weights = data
    base = weighted_score(rows, weights, weight_sum="normalize")
    scaled = weighted_score(rows, [w * factor for w in weights], weight_sum="normalize")
    np.testing.assert_allclose(scaled.values, base.values, rtol=1e-9, atol=1e-9)


@given(table_and_weights())
def test_percent_and_fraction_weights_agree_in_strict_mode(data):
    rows, weights = data
    total = sum(weights)
    percent = [w / total * 100 for w in weights]
    fractions = [w / total for w in weights]
    np.testing.assert_allclose(
        weighted_score(rows, percent).values,
        weighted_score(rows, fractions).values,
        rtol=1e-9,
        atol=1e-12,  # subnormal scores lose relative precision
    )


@given(table_and_weights())
def test_composite_lies_between_the_smallest_and_largest_input(data):
    rows, weights = data
    s = weighted_score(rows, weights, weight_sum="normalize")
    for row, value in zip(rows, s.values, strict=True):
        present = [v for v in row if v is not None]
        if present:
            assert min(present) - 1e-9 <= value <= max(present) + 1e-9
        else:
            assert np.isnan(value)


@st.composite
def raw_indicator_rows(draw):
    """Raw KPI values with per-indicator floor/target (any direction), plus weights."""
    k = draw(st.integers(1, 5))
    floors = draw(st.lists(finite, min_size=k, max_size=k))
    spans = draw(st.lists(st.floats(min_value=1, max_value=1e5), min_size=k, max_size=k))
    lower = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    targets = [f - s if lo else f + s for f, s, lo in zip(floors, spans, lower, strict=True)]
    row = draw(st.lists(st.one_of(st.none(), finite), min_size=k, max_size=k))
    weights = draw(st.lists(positive_weight, min_size=k, max_size=k))
    j = draw(st.integers(0, k - 1))
    step = draw(st.floats(min_value=0, max_value=1e5))
    return floors, targets, row, weights, j, step


def _composite(floors, targets, row, weights):
    scores = [
        np.nan if v is None else linear(v, f, t).value
        for v, f, t in zip(row, floors, targets, strict=True)
    ]
    return weighted_score([scores], weights, weight_sum="normalize").values[0]


@given(raw_indicator_rows())
@settings(max_examples=200)
def test_improving_one_input_never_lowers_the_composite(case):
    """Raising a higher-is-better input (or lowering a lower-is-better one) never hurts."""
    floors, targets, row, weights, j, step = case
    if row[j] is None:
        return
    better = list(row)
    better[j] = row[j] + step if targets[j] > floors[j] else row[j] - step
    before, after = (
        _composite(floors, targets, row, weights),
        _composite(floors, targets, better, weights),
    )
    assert after >= before - 1e-9


@given(
    arrays(np.float64, st.integers(1, 50), elements=finite),
    finite,
    st.floats(min_value=1e-3, max_value=1e6),
    st.sampled_from([None, "higher", "lower"]),
)
def test_linear_scores_stay_within_0_and_100(x, floor, span, direction):
    r = linear(x, floor, floor + span, direction=direction)
    assert ((r.values >= 0) & (r.values <= 100)).all()


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(min_value=1, max_value=5)))
def test_form_scores_stay_within_0_and_100(x):
    r = form_scale(x)
    assert ((r.values >= 0) & (r.values <= 100)).all()


@given(
    arrays(np.float64, st.integers(2, 50), elements=finite), st.sampled_from(["higher", "lower"])
)
def test_min_max_scores_stay_within_0_and_100(x, direction):
    r = min_max(x, direction=direction)
    defined = r.values[~np.isnan(r.values)]
    assert ((defined >= 0) & (defined <= 100 + 1e-9)).all()


@given(st.lists(st.lists(score_value, min_size=3, max_size=3), min_size=1, max_size=6))
def test_multidimensional_contributions_sum_to_the_composite(rows):
    s = multidimensional_score(rows, [50, 50, 100], ["a", "a", "b"], {"a": 70, "b": 30})
    sums = np.nansum(s.contributions, axis=1)
    defined = ~np.isnan(s.values)
    np.testing.assert_allclose(sums[defined], s.values[defined], rtol=1e-9, atol=1e-9)
