"""``fitscope compare A B [more]``: is the difference between runs real or noise?"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.table import Table

from fitscope.cli._options import lang_option, store_option

if TYPE_CHECKING:
    from fitscope.track import Store

__all__ = ["compare_command"]


def _n(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def _p(value: Any) -> str:
    if value is None:
        return "-"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def runner_up_pair(
    pairs: list[dict[str, Any]], store: Store, **options: Any
) -> dict[str, Any] | None:
    """The comparison of the best run with the runner-up by the first metric (3+ runs)."""
    from fitscope.doctor.comparison import ranking
    from fitscope.stats.compare import compare

    if len(pairs) < 2:
        return None
    metric = next((r["metric"] for r in pairs[0]["metrics"] if r["a"] is not None), None)
    if metric is None:
        return None
    ranked = ranking(pairs, metric)
    if len(ranked) < 2:
        return None
    ids = {p["a_run"]["name"]: p["a_run"]["id"] for p in pairs}
    ids.update({p["b_run"]["name"]: p["b_run"]["id"] for p in pairs})
    best, second = ids[ranked[0][0]], ids[ranked[1][0]]
    return compare(second, best, store=store, metrics=[metric], **options)[0]


@click.command(name="compare")
@click.argument("runs", nargs=-1, required=True)
@click.option("--split", default="val", show_default=True, help="Snapshot split to compare on.")
@click.option("--metric", "metrics", multiple=True, help="A metric to compare (repeatable).")
@click.option("--resamples", default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (a list for 3+ runs).")
@click.option("--html", "html_path", default=None, metavar="PATH", help="Also write an HTML page.")
@lang_option("Language of the verdicts and findings.")
@store_option()
def compare_command(
    runs: tuple[str, ...],
    split: str,
    metrics: tuple[str, ...],
    resamples: int,
    seed: int,
    as_json: bool,
    html_path: str | None,
    lang: str,
    store_url: str | None,
) -> None:
    """Compare RUNS (ids, id prefixes or names) against the first, on their latest prediction
    snapshots of --split: both values, B - A with its 95% interval, a p-value with the test
    named, and a verdict. Paired tests when both runs scored the same samples.

    \b
    fitscope compare baseline tuned --split val
    fitscope compare a b c --metric accuracy --metric log_loss --json
    """
    from fitscope.doctor.comparison import comparison_findings
    from fitscope.stats.compare import compare
    from fitscope.track import Store

    store = Store(store_url, create=False)
    try:
        options: dict[str, Any] = {
            "split": split, "n_resamples": resamples, "seed": seed, "lang": lang
        }  # fmt: skip
        pairs = compare(*runs, store=store, metrics=list(metrics) or None, **options)
        second = runner_up_pair(pairs, store, **options)
        findings = comparison_findings(pairs, runner_up=second, lang=lang)
        if html_path is not None:
            from fitscope.views.compare_page import write_compare_page

            records = [store.get_run(r) for r in runs]
            write_compare_page(records, pairs, html_path, findings=findings)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(pairs[0] if len(pairs) == 1 else pairs, indent=2))
        return
    console = Console(highlight=False, width=max(Console().width, 140))
    for pair in pairs:
        title = f"{pair['a_run']['name']} (A) vs {pair['b_run']['name']} (B) on {pair['split']}"
        n = pair["n"]
        how = (f"paired, n = {n} ({pair['pairing']})" if pair["paired"]
               else f"{pair['pairing']}, n = {n[0]} and {n[1]}")  # fmt: skip
        table = Table(title=title, caption=f"{how}; correction: {pair['correction']}",
                      box=box.SIMPLE_HEAD)  # fmt: skip
        for col in ("metric", "A", "B", "B - A", "95% interval", "p", "test", "verdict"):
            table.add_column(col, justify="right" if col in ("A", "B", "B - A", "p") else "left")
        for r in pair["metrics"]:
            if r.get("skipped"):
                table.add_row(r["metric"], "-", "-", "-", "-", "-", r["skipped"], "-")
                continue
            style = {"b_better": "green", "a_better": "red"}.get(r["verdict"], "yellow")
            table.add_row(
                r["metric"], _n(r["a"]), _n(r["b"]), _n(r["difference"], 3),
                f"[{_n(r['ci_low'], 3)}, {_n(r['ci_high'], 3)}]", _p(r["p_value"]), r["test"],
                f"[{style}]{r['verdict_text']}[/]",
            )  # fmt: skip
        console.print(table)
    for f in findings:
        console.print(f"[yellow]{f.title}[/]\n{f.explanation}\n{f.advice}\n")
