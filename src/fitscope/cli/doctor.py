"""``fitscope doctor``: what a run's curves (or a predictions file) mean, in four languages.

:func:`render` turns findings into rich renderables and :func:`to_json` into a JSON string;
only the command prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import click
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from fitscope._i18n import translator
from fitscope.cli._options import lang_option, store_option
from fitscope.diagnosis import diagnose
from fitscope.doctor import Finding
from fitscope.doctor.messages import LABELS
from fitscope.errors import InvalidInputError

__all__ = ["doctor_command", "parse_sizes", "render", "to_json"]

_STYLE = {"info": "cyan", "warning": "yellow", "problem": "bold red"}


def render(
    findings: Sequence[Finding], lang: str = "en", *, evidence: bool = True
) -> list[RenderableType]:
    """One panel per finding: severity and title, explanation, advice and (``evidence=True``)
    the evidence, each list cut to its first few entries with "and N more" (``--json`` keeps
    every one)."""
    from fitscope.views.findings import evidence_shown

    tr = translator(lang).gettext
    if not findings:
        return [Text(tr(LABELS["healthy"]), style="green")]
    out: list[RenderableType] = []
    for f in findings:
        severity = tr(LABELS[f"severity.{f.severity}"])
        body = Group(
            Text(f.title, style="bold"),
            Text(f.explanation),
            Text(""),
            Text.assemble((tr(LABELS["advice"]) + ": ", "bold"), f.advice),
        )
        if evidence and f.evidence:
            lines = [Text(""), Text(tr(LABELS["evidence"]) + ":", style="bold dim")]
            lines += [
                Text(f"  {key}: {text}", style="dim")
                for key, text in evidence_shown(f.evidence, lang)
            ]
            body = Group(body, *lines)
        title = Text(severity, style=_STYLE[f.severity])
        out.append(
            Panel(body, title=title, title_align="left", subtitle=f.code, subtitle_align="right")
        )
    return out


def parse_sizes(pairs: Sequence[str]) -> dict[str, int]:
    """``("val=500", "train=2000")`` as ``{"val": 500, "train": 2000}``.

    >>> parse_sizes(["val=500"])
    {'val': 500}
    """
    out: dict[str, int] = {}
    for pair in pairs:
        split, sep, count = pair.partition("=")
        if not sep or not split.strip() or not count.strip().isdigit() or int(count) < 1:
            raise InvalidInputError(
                f"--n must be SPLIT=N with N a positive integer (e.g. --n val=500). Got "
                f"{pair!r} instead."
            )
        out[split.strip()] = int(count)
    return out


def to_json(findings: Sequence[Finding]) -> str:
    """The findings as a JSON array of objects (code, severity, title, explanation, evidence,
    advice)."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)


@click.command(name="doctor")
@click.argument("source")
@lang_option("Language of the findings.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@store_option("store")
@click.option(
    "--n",
    "sizes",
    multiple=True,
    metavar="SPLIT=N",
    help="Samples behind a split's numbers, e.g. --n val=500 (repeatable); for files and runs "
    "that did not record it. Validation changes are then judged against sampling noise.",
)
def doctor_command(
    source: str, lang: str, as_json: bool, store: str | None, sizes: tuple[str, ...]
) -> None:
    """Explain a run's loss and accuracy curves, or a set of predictions.

    SOURCE is a run id, id prefix or name in the store, or a file: a Keras History JSON
    ({"loss": [...], "val_loss": [...]}), a CSV of per-epoch values (Keras CSVLogger:
    epoch,loss,accuracy,val_loss,val_accuracy) or a predictions CSV (y_true with y_pred, or
    y_true with one probability column per class). Exits 0 whatever it finds.
    """
    findings = diagnose(source, lang=lang, store=store, n=parse_sizes(sizes) or None)
    console = Console(highlight=False, soft_wrap=False)
    if as_json:
        click.echo(to_json(findings))
        return
    for part in render(findings, lang):
        console.print(part)
