"""The vendor's filter expression grammar, on its own."""

import pytest

from apps.core.filters import Expression, InvalidValue


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("chalet", Expression("eq", ("chalet",))),
        ("a,b", Expression("eq", ("a", "b"))),
        ("~jan", Expression("contains", ("jan",))),
        ("!cancelled", Expression("eq", ("cancelled",), negate=True)),
        ("!~jan", Expression("contains", ("jan",), negate=True)),
        ("2026-07-01..2026-07-31", Expression("range", low="2026-07-01", high="2026-07-31")),
        ("5..", Expression("range", low="5")),
        ("..5", Expression("range", high="5")),
        ("!1..3", Expression("range", low="1", high="3", negate=True)),
        ("", Expression("eq", ("",))),
    ],
)
def test_parse(raw, expected):
    assert Expression.parse(raw) == expected


def test_an_empty_range_is_invalid():
    with pytest.raises(InvalidValue):
        Expression.parse("..")


@pytest.mark.parametrize(
    "raw, value, hit",
    [
        ("60", 60, True),
        ("!60", 60, False),
        ("0,60", 0, True),
        ("..0", -300, True),
        ("0..", -300, False),
        ("-60..60", 60, True),
    ],
)
def test_matches_python_values(raw, value, hit):
    assert Expression.parse(raw).matches(value, int) is hit
