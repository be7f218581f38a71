"""Chart titles, axes, legends and footers in the language being written."""

from __future__ import annotations

from bot.i18n import speaking
from bot.render.chart import build_figure
from tests.render.test_chart import request


def test_a_french_compare_chart() -> None:
    with speaking("fr"):
        figure = build_figure(request("1mo")).figure
    performance, correlation = figure.axes
    assert performance.get_ylabel() == "Performance (départ = 100)"
    assert correlation.get_ylabel() == "Corrélation"
    assert figure.get_suptitle() == "CIFR face à BTC-USD et NVDA · 1 mois"
    texts = " ".join(t.get_text() for t in figure.texts)
    assert "clôtures quotidiennes jusqu’au 25 nov. 2026" in texts
    assert "pas un conseil en investissement" in texts


def test_french_month_names_on_the_date_axis() -> None:
    """matplotlib writes months in English; the labels carry the language's own."""
    with speaking("fr"):
        figure = build_figure(request("3mo")).figure
        figure.canvas.draw()
        labels = [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
    assert labels and not any(
        word in label.split() for label in labels for word in ("Sep", "Oct", "Nov")
    )
    assert any(month in " ".join(labels) for month in ("sept.", "oct.", "nov."))
