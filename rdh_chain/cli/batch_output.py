"""What the long commands share: a progress bar, and sending through the pipeline behind it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rdh_chain.pipeline import Call, Pipeline, Report

# The exit code of a batch in which some rows failed (the others landed).
EXIT_FAILED_ROWS = 1


def stage_progress() -> Progress:
    """A progress bar on stderr (stdout stays for tables and JSON) that goes when done:
    a description, the bar, done of total and the time taken."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def send_with_progress(pipeline: Pipeline, calls: Sequence[Call]) -> Report:
    """``pipeline.send(calls)`` with a progress bar on stderr through its stages."""
    with stage_progress() as progress:
        task = progress.add_task("estimating", total=len(calls))

        def tell(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        return pipeline.send(calls, progress=tell)
