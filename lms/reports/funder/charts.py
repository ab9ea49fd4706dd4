"""Bar charts of the months' series as SVG geometry, pure: the template draws them. A
hidden figure (« < 5 », « s ») has no bar, only its mark: a bar's height would give the
count back."""

from dataclasses import dataclass

WIDTH, HEIGHT = 480, 150  # the plot, in SVG units
LEFT, BOTTOM, TOP = 34, 34, 28  # room for the axis labels and the values


@dataclass(frozen=True)
class Bar:
    label: str  # the month
    centre: float
    text: str  # the value as shown (« 12 », « < 5 »)
    x: float
    y: float
    width: float
    height: float
    hidden: bool


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    top: int  # the largest value shown, for the axis
    label_size: float  # of the months' names, smaller when there are many


def bar_chart(slug: str, title: str, points: list[tuple[str, str, object]]) -> Chart:
    """``points``: (month label, value as shown, value) where value is a number, or a
    string for a hidden figure. The description reads every month's figure as the table
    does."""
    numbers = [v for _label, _text, v in points if isinstance(v, int | float)]
    top = max(numbers, default=0) or 1
    step = WIDTH / max(len(points), 1)
    bar_width = min(step * 0.6, 48)
    baseline = TOP + HEIGHT
    bars = []
    for index, (label, shown, value) in enumerate(points):
        hidden = not isinstance(value, int | float)
        height = 0 if hidden else HEIGHT * float(value) / top
        x = LEFT + index * step + (step - bar_width) / 2
        bars.append(
            Bar(
                label=label,
                centre=round(x + bar_width / 2, 1),
                text=shown,
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                hidden=hidden,
            )
        )
    description = " ; ".join(f"{label} : {shown}" for label, shown, _v in points)
    return Chart(
        slug=slug,
        title=title,
        description=description,
        bars=bars,
        width=LEFT + WIDTH + 8,
        height=TOP + HEIGHT + BOTTOM,
        baseline=baseline,
        top=int(max(numbers, default=0)),
        label_size=7.5 if len(points) <= 6 else 5.5,
    )
