"""Generated first pages for the auto-fill tests, built with the labelled set's own
generator (vanban.extraction.samples) and fixed seeds."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.extraction.samples import Sample, make_sample, render


@pytest.fixture
def make_page(tmp_path: Path) -> Callable[..., tuple[Path, Sample]]:
    """A generated document: `form` is "pdf" (text layer), "scan-png", "scan-jpeg" or
    "scan-pdf"; `labels` overrides the drawn values (e.g. secrecy="MẬT")."""

    def make(form: str = "pdf", *, seed: int = 11, dpi: int | None = None, skew: float | None = None,
             font: str | None = None, **labels: Any) -> tuple[Path, Sample]:  # fmt: skip
        rng = random.Random(seed)
        sample = make_sample(rng, seed, form=form)
        sample.labels.update(labels)
        if labels.get("doc_type") == "Công văn":
            sample.labels["_title"] = ""
        if dpi is not None:
            sample.dpi = dpi
        if skew is not None:
            sample.skew = skew
        if font is not None:
            sample.font = font
        path = tmp_path / sample.name
        path.write_bytes(render(sample, rng))
        return path, sample

    return make
