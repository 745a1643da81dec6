"""Chart geometry: exact positions from the result figures."""

from __future__ import annotations

from riskcheck.report import charts


def test_section_bars_are_shares_of_the_plot_width() -> None:
    chart = charts.section_chart(
        [
            {"title": "Profile", "points": 3, "max": 4, "share": 0.75, "visible": True},
            {"title": "Data", "points": 0, "max": 0, "share": None, "visible": True},
            {"title": "Hidden section", "points": 0, "max": 5, "share": 0.0, "visible": False},
        ]
    )
    assert chart is not None
    assert chart.plot_width == 320.0
    assert [(b.label, b.width, b.value_label, b.muted) for b in chart.bars] == [
        ("Profile", 240.0, "75%  (3 of 4)", False),
        ("Hidden section", 0.0, "not applicable", True),
    ]
    assert [t.label for t in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_tier_scale_marks_the_score_and_the_current_band() -> None:
    result = {
        "score": 40.0,
        "score_max": 100.0,
        "scoring_model": "weighted_sections",
        "tier": "medium",
        "tiers": [
            {"id": "low", "label": "Low", "threshold": 0.0},
            {"id": "medium", "label": "Medium", "threshold": 25.0},
            {"id": "high", "label": "High", "threshold": 50.0},
        ],
    }
    scale = charts.tier_scale(result)
    assert scale.marker_x == 20 + 600 * 0.4
    assert [(b.label, b.x, b.width, b.current) for b in scale.bands] == [
        ("Low", 20.0, 150.0, False),
        ("Medium", 170.0, 150.0, True),
        ("High", 320.0, 300.0, False),
    ]
    assert [t.label for t in scale.ticks] == ["0", "25", "50", "100"]


def test_disparity_rows_show_undefined_values_bands_and_breaches() -> None:
    fairness = {
        "disparities": {
            "demographic_parity_ratio": {"value": 0.75, "ci_low": 0.6, "ci_high": 0.9},
            "equalized_odds_difference": {"value": None, "ci_low": None, "ci_high": None},
        },
        "thresholds": {"demographic_parity_ratio": {"min": 0.8, "max": None, "on": "value"}},
        "breaches": [{"metric": "demographic_parity_ratio"}],
    }
    chart = charts.disparity_chart(fairness)
    assert chart is not None
    assert chart.domain == (0.0, 1.0)
    ratio, odds = chart.rows
    assert (ratio.x, ratio.ci_low_x, ratio.ci_high_x) == (210 + 320 * 0.75, 210 + 320 * 0.6, 210 + 320 * 0.9)
    assert (ratio.band_x, ratio.band_width, ratio.breach) == (210 + 320 * 0.8, 64.0, True)
    # Fairness figures always carry four decimals, in the chart as in the table.
    assert ratio.value_label == "0.7500 [0.6000, 0.9000]"
    assert (odds.x, odds.value_label, odds.band_x, odds.breach) == (None, "undefined", None, False)
    assert [t.label for t in chart.ticks] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]


def test_long_section_titles_wrap_instead_of_being_clipped() -> None:
    title = "High-risk obligations (EU AI Act Chapter III)"
    chart = charts.section_chart([{"title": title, "points": 3, "max": 35, "share": 3 / 35, "visible": True}])
    assert chart is not None
    (bar,) = chart.bars
    assert bar.label == title
    assert bar.lines == ("High-risk obligations (EU AI Act", "Chapter III)")
    assert "\u2026" not in "".join(bar.lines)
