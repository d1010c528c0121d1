"""How much would a faster Markdown engine save? Times each installed engine on our corpus.

    python3 -m pip install mistune cmarkgfm      # optional, bench-only
    python3 bench/markdown_engines.py            # N=51 synthetic city, seed 1

Converts every Markdown body of the synthetic city (front matter stripped) with:
the generator's own ``MarkdownRenderer`` (Python-Markdown + nh3, as used by the build),
Python-Markdown alone, and, when installed, mistune 3 and cmarkgfm (GitHub's C cmark),
each followed by the same nh3 call. Prints the best of 3 passes per engine and the
per-page cost. Engines that are not installed are skipped. Output differs between engines
(CommonMark vs Python-Markdown dialect), so this measures cost only, not equivalence.
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
    import markdown
    import nh3

    from generator.markdown import MarkdownRenderer

    found: dict[str, Callable[[str], str]] = {}
    ours = MarkdownRenderer()
    found["generator MarkdownRenderer (Python-Markdown + nh3)"] = ours.render
    plain = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")

    def python_markdown(text: str) -> str:
        plain.reset()
        return str(plain.convert(text))

    found["Python-Markdown alone"] = python_markdown
    found["nh3.clean alone (on Python-Markdown output)"] = _nh3_only(python_markdown)
    try:
        import mistune

        fast = mistune.create_markdown(plugins=["table"])
        found["mistune 3 + nh3"] = lambda text: nh3.clean(str(fast(text)))
    except ImportError:
        print("mistune not installed: skipped", file=sys.stderr)
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options

        def cmark(text: str) -> str:
            html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
            return nh3.clean(html)

        found["cmarkgfm (C) + nh3"] = cmark
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
