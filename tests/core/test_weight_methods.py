"""Tests for crm_xl.core.weight_methods: AHP (Saaty eigenvector, CR) and the entropy weight method."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crm_xl.core.weight_methods import (
    RANDOM_INDEX,
    RECIPROCAL_TOLERANCE,
    ahp_weights,
    entropy_weights,
)
from crm_xl.core.weights import as_fractions
from crm_xl.errors import CrmError


def wheres(err: pytest.ExceptionInfo[CrmError]) -> list[str]:
    return [p.where for p in err.value.problems]


# ==========================================================================================
# AHP
# ==========================================================================================

# Saaty (2008), drinks example: the judgements of 30 people on the relative consumption of
# drinks in the US (row drink consumed how many times more than column drink).
DRINKS = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
DRINKS_MATRIX = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS_PUBLISHED_WEIGHTS = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
DRINKS_PUBLISHED_CR = 0.022


def test_ahp_published_example_saaty_2008_drinks() -> None:
    """Saaty, T.L. (2008) 'Decision making with the analytic hierarchy process',
    Int. J. Services Sciences 1(1), 83–98 (doi:10.1504/IJSSCI.2008.017590): the
    "which drink is consumed more in the US" example.

    Saaty prints the 7 × 7 judgement matrix, the derived priorities to three decimals —
    coffee .177, wine .019, tea .042, beer .116, soda .190, milk .129, water .327 (against
    actual consumption .180, .010, .040, .120, .180, .140, .330) — and C.R. = 0.022. The
    matrix and numbers are as reproduced in the AHPy README (PhilipGriffith/AHPy, "Relative
    consumption of drinks in the United States"), which matches Saaty's published results.
    CR rounds to 0.022 with either RI(7) = 1.32 (Saaty 1980, used here) or 1.35 (Saaty 2005).
    """
    r = ahp_weights(DRINKS_MATRIX, labels=DRINKS)
    assert r.weights.round(3).tolist() == DRINKS_PUBLISHED_WEIGHTS
    assert round(r.cr, 3) == DRINKS_PUBLISHED_CR
    assert r.consistent and r.warning is None
    assert r.ri == 1.32 and r.labels == tuple(DRINKS)
    assert r.ci == pytest.approx((r.lambda_max - 7) / 6)
    assert r.cr == pytest.approx(r.ci / 1.32)
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_ahp_drinks_typed_as_in_a_spreadsheet() -> None:
    """The same matrix typed the way users type it: "1/9" as text, 0.333 for 1/3, 0.111."""
    typed = [
        ["1", 9, 5, 2, 1, 1, "1/2"],
        ["1/9", 1, 0.333, 0.111, "1/9", "1/9", "1/9"],
        [0.2, 3, 1, "1/3", 0.25, 0.333, 0.111],
        [0.5, 9, 3, 1, "1/2", 1, "1/3"],
        [1, 9, 4, 2, 1, 2, 0.5],
        [1, 9, 3, 1, 0.5, 1, "1 / 3"],
        [2, "9", 9, 3, 2, 3, 1],
    ]
    exact = ahp_weights(DRINKS_MATRIX)
    r = ahp_weights(typed)
    # the entry ≥ 1 of each pair is kept and the other made its exact reciprocal
    np.testing.assert_allclose(r.weights, exact.weights, rtol=1e-12)
    assert r.cr == pytest.approx(exact.cr, rel=1e-12)


def test_ahp_full_width_fraction_from_a_chinese_input_method() -> None:
    r = ahp_weights([[1, "３"], ["１／３", 1]])
    np.testing.assert_allclose(r.weights, [0.75, 0.25])


@pytest.mark.parametrize(
    "known",
    [
        [0.4, 0.3, 0.2, 0.1],  # the worked example's weights
        [0.4, 0.2, 0.2, 0.1, 0.1],  # the service-industry weights
        [0.5, 0.5],
        [0.05, 0.15, 0.3, 0.2, 0.1, 0.08, 0.07, 0.02, 0.02, 0.01],  # n = 10, the RI limit
    ],
)
def test_ahp_consistent_matrix_returns_the_weights_it_was_built_from(known: list[float]) -> None:
    w = np.array(known)
    a = w[:, None] / w[None, :]  # a_ij = w_i / w_j: perfectly consistent
    r = ahp_weights(a)
    np.testing.assert_allclose(r.weights, w, rtol=1e-9)
    assert r.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert r.ci == pytest.approx(0.0, abs=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)
    assert r.consistent and r.warning is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=20.0), min_size=2, max_size=10))
def test_ahp_consistent_matrix_property(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    r = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(r.weights, w, rtol=1e-8)
    assert r.cr == pytest.approx(0.0, abs=1e-8)
    assert r.consistent


def test_ahp_inconsistent_matrix_is_flagged_not_raised() -> None:
    # A is preferred to B, B to C, but C to A: a cycle no weights can agree with.
    r = ahp_weights(
        [[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]], labels=["satisfaction", "speed", "loyalty"]
    )
    assert not r.consistent
    assert r.cr >= 0.1
    assert r.cr == pytest.approx(r.ci / RANDOM_INDEX[3])
    assert r.weights.sum() == pytest.approx(1.0)
    assert "inconsistent" in r.warning and "revised" in r.warning
    assert r.warning.startswith(f"CR = {r.cr:.3f} ≥ 0.1: ")
    assert r.warning.split(": ", 1)[1] in r.summary()  # the summary carries the same advice
    assert "未通过一致性检验" in r.summary("zh")
    assert r.worst is not None


def test_ahp_worst_judgement_points_at_the_planted_slip() -> None:
    # consistent weights 0.4/0.3/0.2/0.1, then one judgement reversed by a typing slip
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    a[0, 3], a[3, 0] = 1 / 4, 4  # should be 4 and 1/4
    r = ahp_weights(a)
    assert not r.consistent
    assert r.worst in {(1, 4), (4, 1)}
    assert "row 4, column 1" in r.warning or "row 1, column 4" in r.warning


def test_ahp_two_criteria_are_always_consistent() -> None:
    r = ahp_weights([[1, 7], [1 / 7, 1]])
    np.testing.assert_allclose(r.weights, [7 / 8, 1 / 8])
    assert r.cr == 0.0 and r.ri == 0.0 and r.consistent and r.worst is None
    assert "always consistent" in r.summary()


def test_ahp_moderately_inconsistent_published_style_matrix() -> None:
    # worked by hand: the 3 × 3 matrix of the README quick start
    r = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert r.weights.round(3).tolist() == [0.637, 0.258, 0.105]
    assert round(r.lambda_max, 4) == 3.0385
    assert round(r.cr, 3) == 0.033


def test_ahp_as_percent_rounds_to_exactly_100_for_a_strict_scorecard() -> None:
    r = ahp_weights(DRINKS_MATRIX)
    pct = r.as_percent(1)
    assert pct.sum() == pytest.approx(100.0, abs=1e-9)
    assert np.all(np.abs(pct - r.weights * 100) <= 0.1 + 1e-9)
    _, warnings = as_fractions(pct)  # strict mode: a sum ≠ 100 would raise
    assert warnings == []
    np.testing.assert_allclose(r.as_percent(), r.weights * 100)
    assert list(r.as_dict()) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def test_ahp_dataframe_labels_from_columns() -> None:
    labels = ["满意度", "响应速度", "忠诚度"]
    df = pd.DataFrame([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]], columns=labels, index=labels)
    r = ahp_weights(df)
    assert r.labels == tuple(labels)
    assert "满意度 63.7 %" in r.summary()


def test_ahp_dataframe_rows_in_another_order_than_columns_is_an_error() -> None:
    df = pd.DataFrame([[1, 3], [1 / 3, 1]], columns=["a", "b"], index=["b", "a"])
    with pytest.raises(CrmError, match="row labels and column labels differ"):
        ahp_weights(df)


def test_ahp_result_is_frozen() -> None:
    r = ahp_weights([[1, 2], [0.5, 1]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.cr = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError):
        r.weights[0] = 1.0


# -- AHP validation ------------------------------------------------------------------------
def test_ahp_validation_lists_every_problem_with_its_position() -> None:
    bad = [
        [1, "abc", 0, 2],
        [None, 2, "1/0", 1],
        [-3, True, 1, 0.5],
        [0.5, 1, 3, 1],  # row 4, column 3: 3 but row 3, column 4 is 0.5 → expected 2
    ]
    with pytest.raises(CrmError) as err:
        ahp_weights(bad, labels=["A", "B", "C", "D"])
    msgs = [str(p) for p in err.value.problems]
    assert wheres(err) == [
        "row 1, column 2 (A vs B)",  # text
        "row 1, column 3 (A vs C)",  # 0
        "row 2, column 1 (B vs A)",  # blank
        "row 2, column 2 (B vs B)",  # diagonal 2
        "row 2, column 3 (B vs C)",  # 1/0
        "row 3, column 1 (C vs A)",  # negative
        "row 3, column 2 (C vs B)",  # TRUE
        "row 4, column 3 (D vs C)",  # not reciprocal
    ], msgs
    assert "'abc' is text" in msgs[0]
    assert "must be positive" in msgs[1] and "must be positive" in msgs[5]
    assert "blank" in msgs[2]
    assert "diagonal must be 1" in msgs[3]
    assert "divides by zero" in msgs[4]
    assert "TRUE is a logical value" in msgs[6]
    assert "3 is not the reciprocal of row 3, column 4 (1/2): expected 2" in msgs[7]
    # "row 2, column 4" = 1 and "row 4, column 2" = 1 are fine and not reported


def test_ahp_blank_mirror_cell_suggests_the_reciprocal() -> None:
    with pytest.raises(CrmError) as err:
        ahp_weights([[1, 3], [None, 1]])
    assert str(err.value) == (
        "row 2, column 1: is blank: every cell needs a judgement "
        "(here 1/3, the reciprocal of row 1, column 2, which is 3)"
    )


def test_ahp_not_square() -> None:
    with pytest.raises(CrmError, match=r"3 rows and 2 columns; .* must be square"):
        ahp_weights([[1, 2], [0.5, 1], [1, 1]])


def test_ahp_ragged_rows_each_named() -> None:
    with pytest.raises(CrmError) as err:
        ahp_weights([[1, 2, 3], [0.5, 1], [1 / 3, 1, 1, 1]])
    assert wheres(err) == ["row 2", "row 3"]


@pytest.mark.parametrize("n", [1, 11])
def test_ahp_size_outside_the_random_index_table(n: int) -> None:
    a = np.ones((n, n))
    with pytest.raises(CrmError) as err:
        ahp_weights(a)
    assert wheres(err) == ["matrix"]
    assert ("at least 2" if n == 1 else "at most 10") in str(err.value)


def test_ahp_reciprocal_tolerance_accepts_typed_reciprocals_rejects_rough_ones() -> None:
    # every 1/k of Saaty's scale typed to three decimals is accepted
    for k in range(2, 10):
        ahp_weights([[1, k], [round(1 / k, 3), 1]])
    # 0.33 for 1/3 is 1 % off: reported, with the value to type
    with pytest.raises(CrmError, match=r"0\.33 is not the reciprocal .* expected 1/3"):
        ahp_weights([[1, 3], [0.33, 1]])
    assert RECIPROCAL_TOLERANCE < 0.01


def test_ahp_wrong_number_of_labels() -> None:
    with pytest.raises(CrmError) as err:
        ahp_weights([[1, 2], [0.5, 1]], labels=["a", "b", "c"])
    assert wheres(err) == ["labels"]


def test_ahp_not_a_table() -> None:
    with pytest.raises(CrmError, match="flat list"):
        ahp_weights([1, 2, 3])
    with pytest.raises(CrmError, match="empty"):
        ahp_weights([])


def test_random_index_table_is_saatys() -> None:
    assert [RANDOM_INDEX[n] for n in range(1, 11)] == [
        0.0,
        0.0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
    ]


# ==========================================================================================
# Entropy weight method 熵权法
# ==========================================================================================

# 4 customers × 3 indicators: A and B higher is better, C lower is better.
HAND = [
    [1, 10, 5],
    [2, 30, 1],
    [3, 20, 3],
    [5, 40, 5],
]


def _plogp_entropy(p: list[float], n: int) -> float:
    """e = −(1/ln n) Σ p ln p with 0 · ln 0 = 0 — plain math, independent of the module."""
    return -sum(x * math.log(x) for x in p if x > 0) / math.log(n)


def test_entropy_small_matrix_worked_by_hand() -> None:
    # Min–max normalisation (n = 4 rows):
    #   A (higher): (x − 1)/4        → r = 0, 0.25, 0.5, 1      Σ = 1.75
    #   B (higher): (x − 10)/30      → r = 0, 2/3, 1/3, 1       Σ = 2
    #   C (lower):  (5 − x)/4        → r = 0, 1, 0.5, 0         Σ = 1.5
    # Proportions p = r / Σ r:
    #   A: 0, 1/7, 2/7, 4/7
    #   B: 0, 1/3, 1/6, 1/2
    #   C: 0, 2/3, 1/3, 0
    # Entropy e = −(1/ln 4) Σ p ln p  (0 · ln 0 = 0), ln 4 = 1.386294; the −p ln p terms:
    #   A: 0.277987 + 0.357932 + 0.319780 = 0.955699 → e = 0.955699 / 1.386294 = 0.689392
    #   B: 0.366204 + 0.298627 + 0.346574 = 1.011404 → e = 1.011404 / 1.386294 = 0.729574
    #   C: 0.270310 + 0.366204            = 0.636514 → e = 0.636514 / 1.386294 = 0.459148
    # Divergence d = 1 − e: 0.310608, 0.270426, 0.540852;  Σ d = 1.121886
    # Weights w = d / Σ d:  0.276862, 0.241046, 0.482092
    p = {
        "A": [0, 1 / 7, 2 / 7, 4 / 7],
        "B": [0, 1 / 3, 1 / 6, 1 / 2],
        "C": [0, 2 / 3, 1 / 3, 0],
    }
    e = [_plogp_entropy(p[k], 4) for k in "ABC"]
    d = [1 - x for x in e]
    w = [x / sum(d) for x in d]

    r = entropy_weights(HAND, directions=["higher", "higher", "lower"], labels=["A", "B", "C"])
    np.testing.assert_allclose(r.entropy, e, rtol=1e-12)
    np.testing.assert_allclose(r.divergence, d, rtol=1e-12)
    np.testing.assert_allclose(r.weights, w, rtol=1e-12)
    # and the rounded hand values above
    np.testing.assert_allclose(r.entropy, [0.689392, 0.729574, 0.459148], atol=1e-6)
    np.testing.assert_allclose(r.divergence, [0.310608, 0.270426, 0.540852], atol=1e-6)
    np.testing.assert_allclose(r.weights, [0.276862, 0.241046, 0.482092], atol=1e-6)
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.rows_used == 4 and r.rows_dropped == 0 and r.notes == ()
    assert r.directions == ("higher", "higher", "lower")
    assert r.as_percent(1).tolist() == [27.7, 24.1, 48.2]


def test_entropy_direction_inversion() -> None:
    x = np.array(HAND, dtype=float)
    # "lower" on C is the same as "higher" on −C
    flipped = x.copy()
    flipped[:, 2] = -flipped[:, 2]
    a = entropy_weights(x, directions=["higher", "higher", "lower"])
    b = entropy_weights(flipped)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-12)
    # and C as "higher" gives a different column: r = 1, 0, 0.5, 1 → p = 0.4, 0, 0.2, 0.4
    c = entropy_weights(x)
    e_c = _plogp_entropy([0.4, 0, 0.2, 0.4], 4)
    assert c.entropy[2] == pytest.approx(e_c, rel=1e-12)
    assert c.entropy[2] != pytest.approx(a.entropy[2])


def test_entropy_directions_by_label_and_for_all_columns() -> None:
    df = pd.DataFrame(HAND, columns=["A", "B", "C"])
    by_label = entropy_weights(df, directions={"C": "lower"})
    by_list = entropy_weights(df, directions=["higher", "higher", "lower"])
    np.testing.assert_allclose(by_label.weights, by_list.weights)
    all_lower = entropy_weights(df, directions="lower")
    assert all_lower.directions == ("lower",) * 3


def test_entropy_constant_column_gets_weight_zero_and_a_note() -> None:
    with_const = [[*row, 7] for row in HAND]
    r = entropy_weights(with_const, labels=["A", "B", "C", "区域"])
    base = entropy_weights(HAND)
    assert r.weights[3] == 0.0 and r.divergence[3] == 0.0 and r.entropy[3] == 1.0
    np.testing.assert_allclose(r.weights[:3], base.weights, rtol=1e-12)
    assert any("'区域'" in note and "weight is 0" in note for note in r.notes)
    assert "常数列 区域" in r.summary("zh")


def test_entropy_rows_with_blanks_are_dropped_and_reported() -> None:
    rows = [HAND[0], [None, 5, 5], HAND[1], HAND[2], [4, float("nan"), 2], HAND[3]]
    r = entropy_weights(rows)
    np.testing.assert_allclose(r.weights, entropy_weights(HAND).weights, rtol=1e-12)
    assert r.rows_used == 4
    assert r.rows_dropped == 2 and r.dropped_rows == (2, 5)
    assert r.notes[0] == "2 of 6 rows had a blank cell and were left out (rows 2, 5)."
    assert "left out" in r.summary()


def test_entropy_accepts_arrays_lists_and_dataframes() -> None:
    df = pd.DataFrame(HAND, columns=["满意度", "复购次数", "投诉次数"])
    from_df = entropy_weights(df, directions={"投诉次数": "lower"})
    from_list = entropy_weights(HAND, directions=["higher", "higher", "lower"])
    from_array = entropy_weights(np.array(HAND), directions=["higher", "higher", "lower"])
    assert from_df.labels == ("满意度", "复购次数", "投诉次数")
    assert from_list.labels == ("X1", "X2", "X3")
    np.testing.assert_allclose(from_df.weights, from_list.weights)
    np.testing.assert_allclose(from_array.weights, from_list.weights)
    assert from_df.as_dict()["投诉次数"] == pytest.approx(0.482092, abs=1e-6)


def test_entropy_two_rows_gives_equal_weights() -> None:
    # n = 2: every non-constant column normalises to (0, 1) → p = (0, 1) → e = 0, d = 1
    r = entropy_weights([[1, 100, 3], [2, 50, 9]])
    np.testing.assert_allclose(r.entropy, [0, 0, 0], atol=1e-15)
    np.testing.assert_allclose(r.weights, [1 / 3] * 3)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=8).flatmap(
        lambda n: st.lists(
            st.lists(
                st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=3, max_size=3
            ),
            min_size=n,
            max_size=n,
        )
    ),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=-100, max_value=100),
)
def test_entropy_properties(rows: list[list[float]], scale: float, shift: float) -> None:
    x = np.array(rows)
    keep = np.ptp(x, axis=0) >= 1e-3  # columns clearly non-constant
    assume(keep.any())
    x = x[:, keep]
    r = entropy_weights(x)
    assert r.weights.sum() == pytest.approx(1.0)
    assert np.all(r.weights >= 0)
    assert np.all((r.entropy >= 0) & (r.entropy <= 1))
    # min–max normalisation: a positive affine change of units leaves the weights alone
    np.testing.assert_allclose(entropy_weights(x * scale + shift).weights, r.weights, atol=1e-6)


# -- entropy errors ------------------------------------------------------------------------
def test_entropy_non_numeric_cells_named_by_row_and_column() -> None:
    df = pd.DataFrame({"满意度": [80, "高", 70], "流失率": [5, 3, True]})
    with pytest.raises(CrmError) as err:
        entropy_weights(df)
    assert [str(p) for p in err.value.problems] == [
        "row 2, column '满意度': '高' is text, not a number",
        "row 3, column '流失率': TRUE is a logical value, not a number",
    ]


def test_entropy_infinite_value_is_an_error() -> None:
    with pytest.raises(CrmError) as err:
        entropy_weights([[1, 2], [3, float("inf")]])
    assert wheres(err) == ["row 2, column 2"]


def test_entropy_all_columns_constant() -> None:
    with pytest.raises(CrmError, match="every column has the same value"):
        entropy_weights([[1, 5], [1, 5], [1, 5]])


def test_entropy_float_noise_is_not_information() -> None:
    # 0.1 + 0.2 is 0.30000000000000004: a formula's rounding must not become a full weight
    r = entropy_weights([[1, 0.1 + 0.2], [2, 0.3], [4, 0.3]])
    assert r.weights.tolist() == [1.0, 0.0]
    assert "same value in every row" in r.notes[0]


def test_entropy_fewer_than_two_complete_rows() -> None:
    with pytest.raises(CrmError, match="at least 2 rows"):
        entropy_weights([[1, 2]])
    with pytest.raises(CrmError, match="1 complete row"):
        entropy_weights([[1, 2], [None, 3], [4, None]])


def test_entropy_bad_directions_all_reported() -> None:
    with pytest.raises(CrmError) as err:
        entropy_weights(HAND, directions=["up", "higher", "down"])
    assert wheres(err) == ["directions[1]", "directions[3]"]
    with pytest.raises(CrmError, match="2 directions given for 3 columns"):
        entropy_weights(HAND, directions=["higher", "lower"])
    df = pd.DataFrame(HAND, columns=["A", "B", "C"])
    with pytest.raises(CrmError) as err:
        entropy_weights(df, directions={"churn": "lower", "B": "sideways"})
    assert wheres(err) == ["directions['churn']", "directions['B']"]


def test_entropy_ragged_rows_and_flat_input() -> None:
    with pytest.raises(CrmError) as err:
        entropy_weights([[1, 2, 3], [4, 5], [6, 7, 8]])
    assert wheres(err) == ["row 2"]
    with pytest.raises(CrmError, match="flat list"):
        entropy_weights([1, 2, 3])
    with pytest.raises(CrmError, match="1 dimension"):
        entropy_weights(np.array([1.0, 2.0]))


def test_entropy_result_is_frozen() -> None:
    r = entropy_weights(HAND)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.rows_used = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        r.weights[:] = 0
