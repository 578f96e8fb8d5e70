"""``fitscope demo``: the worked "loss vs accuracy" example as a table.

:func:`render` builds the rich renderables from :func:`fitscope.demo.worked_example` and
returns them; only the command prints.
"""

from __future__ import annotations

import click
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from fitscope.demo import WorkedExample, worked_example

__all__ = ["LANGUAGES", "demo_command", "render"]

LANGUAGES = ("en", "ru", "es", "it")

# One catalog per language. Only English exists so far; the others fall back to it.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Loss vs accuracy: a worked example",
        "model": (
            "Model: p(y=1) = 1 / (1 + exp(-({b1} * weight {sign} {b2} * height))), no intercept; "
            "predict 1 when p >= 0.5."
        ),
        "person": "person",
        "weight": "weight",
        "height": "height",
        "label": "label",
        "probability": "p(y=1)",
        "predicted": "predicted label",
        "loss": "log loss",
        "summed_loss": "Summed log loss: {value:.4f}",
        "mean_loss": "Mean log loss:   {value:.4f}",
        "accuracy": "Accuracy:        {value:.1%}",
        "baseline": "Majority-class baseline accuracy: {value:.1%} (always predict {label})",
        "explanation": (
            "Log loss measures how much probability the model puts on the true label, so every "
            "change in a probability moves it; accuracy only counts on which side of 0.5 each "
            "probability falls. The two can disagree: a model can lower its loss without changing "
            "a single prediction, and this one is less accurate than always guessing the "
            "majority class."
        ),
    },
}


def render(example: WorkedExample, lang: str = "en") -> list[RenderableType]:
    """Return the demo's output as rich renderables, in ``lang`` where a catalog exists."""
    text = _TEXT.get(lang, _TEXT["en"])
    b1, b2 = example.coefficients

    table = Table(title=text["title"])
    table.add_column(text["person"])
    for key in ("weight", "height", "label", "probability", "predicted", "loss"):
        table.add_column(text[key], justify="right")
    for i, name in enumerate(example.names):
        table.add_row(
            name,
            f"{example.weights_kg[i]:g} kg",
            f"{example.heights_cm[i]:g} cm",
            str(example.labels[i]),
            f"{example.probabilities[i]:.4f}",
            str(example.predicted_labels[i]),
            f"{example.log_losses[i]:.4f}",
        )

    sign = "-" if b2 < 0 else "+"
    model = text["model"].format(b1=f"{b1:g}", sign=sign, b2=f"{abs(b2):g}")
    lines = [
        "",
        text["summed_loss"].format(value=example.summed_log_loss),
        text["mean_loss"].format(value=example.mean_log_loss),
        text["accuracy"].format(value=example.accuracy),
        text["baseline"].format(value=example.baseline_accuracy, label=example.majority_label),
        "",
        text["explanation"],
    ]
    return [Text(model), Text(""), table, *(Text(line) for line in lines)]


@click.command(name="demo")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the explanations (only English text exists so far).",
)
@click.option("--quick", is_flag=True, help="Run a CI-sized demo (the worked example already is).")
def demo_command(lang: str, quick: bool) -> None:
    """Show why loss and accuracy disagree, on a worked example.

    Three people, a fixed logistic model and a table of its probabilities, predictions and
    per-sample log loss, then the summed and mean loss, the accuracy and the accuracy of always
    predicting the majority class. Every number is computed by fitscope.metrics.
    """
    # --quick is accepted now so that CI can pass it; a longer demo will honour it.
    del quick
    console = Console(highlight=False)
    for renderable in render(worked_example(), lang):
        console.print(renderable)
