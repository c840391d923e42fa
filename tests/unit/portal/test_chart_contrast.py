from mutua.platform.web.charts import PALETTE


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_chart_colour_has_at_least_3_to_1_contrast_on_white() -> None:
    for colour in PALETTE:
        assert 1.05 / (_luminance(colour) + 0.05) >= 3.0, colour


def test_chart_colours_are_all_different() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
