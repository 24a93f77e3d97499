"""The stage's colours, without Qt (the browser pages use them too)."""
BACKGROUND = "#0b1d3a"
PANEL = "#13294b"
TEXT = "#ffffff"
MUTED = "#9fb3d1"
ACCENT = "#ffd166"
DANGER = "#ef476f"
GOOD = "#06d6a0"


def luminance(colour: str) -> float:
    """The relative luminance (WCAG 2) of a #rrggbb colour: 0 black, 1 white."""
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index:index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    """The contrast ratio (WCAG 2) of two #rrggbb colours: 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def darkened(colour: str, most: float = 0.14) -> str:
    """The colour, darkened (the same hue) until its luminance is at most `most`: white text
    on it then has a contrast of 5:1 or more."""
    if not (len(colour) == 7 and colour.startswith("#")) or luminance(colour) <= most:
        return colour
    low, high = 0.0, 1.0  # the share of the colour kept, found by halving
    for _step in range(20):
        middle = (low + high) / 2
        if luminance(_scaled(colour, middle)) <= most:
            low = middle
        else:
            high = middle
    return _scaled(colour, low)


def _scaled(colour: str, share: float) -> str:
    return "#" + "".join(f"{round(int(colour[index:index + 2], 16) * share):02x}" for index in (1, 3, 5))
