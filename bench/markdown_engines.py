"""What does Markdown cost per page, with our engine and the alternatives? Times each on our corpus.

    python3 -m pip install markdown mistune cmarkgfm   # optional, bench-only alternatives
    python3 bench/markdown_engines.py            # N=51 synthetic city, seed 1

Converts every Markdown body of the synthetic city (front matter stripped) with the
generator's own ``markdown.to_html`` (pulldown-cmark + nh3, exactly as the build uses it),
pulldown-cmark alone, nh3 alone, and, when installed, Python-Markdown (the engine of the
design card), mistune 3 and cmark-gfm, each followed by an nh3 call. Prints the best of 3
passes per engine and the per-page cost. Engines that are not installed are skipped. Output
differs between dialects (CommonMark vs Python-Markdown), so this measures cost only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402


def bodies(site: Path) -> list[str]:
    texts = []
    for path in sorted((site / "kelurahan").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[1]
        texts.append(text)
    return texts


def engines() -> dict[str, Callable[[str], str]]:
    import nh3
    import pyromark

    from generator.markdown import OPTIONS, to_html

    def pulldown(text: str) -> str:
        return pyromark.html(text, options=OPTIONS)

    found: dict[str, Callable[[str], str]] = {
        "generator `markdown.to_html` (pulldown-cmark + nh3 with link rebasing)": to_html,
        "pulldown-cmark (pyromark) alone": pulldown,
        "nh3.clean alone (on pulldown-cmark output)": _nh3_only(pulldown),
    }
    try:
        import markdown

        plain = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")

        def python_markdown(text: str) -> str:
            plain.reset()
            return nh3.clean(str(plain.convert(text)))

        found["Python-Markdown (tables, sane_lists) + nh3"] = python_markdown
    except ImportError:
        print("markdown (Python-Markdown) not installed: skipped", file=sys.stderr)
    try:
        import mistune

        fast = mistune.create_markdown(plugins=["table"])
        found["mistune 3 + nh3"] = lambda text: nh3.clean(str(fast(text)))
    except ImportError:
        print("mistune not installed: skipped", file=sys.stderr)
    try:
        from cmarkgfm import cmark

        def cmark_gfm(text: str) -> str:  # leaks ~50 KB per call (tree and result never freed)
            return nh3.clean(str(cmark.markdown_to_html_with_extensions(text, 0, ["table", "strikethrough"])))

        found["cmark-gfm (cmarkgfm) + nh3"] = cmark_gfm
    except ImportError:
        print("cmarkgfm not installed: skipped", file=sys.stderr)
    return found


def _nh3_only(convert: Callable[[str], str]) -> Callable[[str], str]:
    import nh3

    cache: dict[str, str] = {}

    def clean(text: str) -> str:
        if text not in cache:
            cache[text] = convert(text)
        return nh3.clean(cache[text])

    return clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kelurahan", "-n", type=int, default=51)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--work", type=Path, default=BENCH / "out")
    opts = parser.parse_args(argv)
    city, _info = synth.ensure_city(opts.kelurahan, opts.seed, opts.work)
    texts = bodies(city / "site")
    print(f"{len(texts)} Markdown bodies, {sum(len(t) for t in texts) / 1e6:.1f} MB\n")
    print("| engine | best of passes, s | per page, ms |\n|---|---:|---:|")
    for name, convert in engines().items():
        if name.startswith("nh3.clean alone"):
            for text in texts:  # fill the cache outside the timing
                convert(text)
        best = float("inf")
        for _ in range(opts.passes):
            started = time.perf_counter()
            for text in texts:
                convert(text)
            best = min(best, time.perf_counter() - started)
        print(f"| {name} | {best:.2f} | {best / len(texts) * 1000:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
