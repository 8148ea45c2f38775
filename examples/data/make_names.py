"""Writes ``names.txt`` beside it: 4000 made-up first names from a small seeded syllable grammar.

The names are invented (no list is downloaded or copied): a name is an onset syllable, zero to
two middle syllables and an ending, each drawn with fixed weights from the tables below, so
the file has the structure a character model can learn (common endings such as -a, -ia,
-son, -lyn; consonant clusters only at syllable starts). Run it again to rebuild the same file:

    python examples/data/make_names.py
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ONSETS = ["b", "br", "c", "ch", "d", "el", "em", "f", "g", "h", "j", "k", "kr", "l", "m", "n",
          "p", "r", "s", "sh", "st", "t", "th", "v", "w", "z", "al", "an", "ar", "is"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "ai", "ea", "io", "y"]
MIDDLES = ["l", "n", "r", "m", "v", "d", "s", "th", "nd", "ll", "rr", "z", "k", "b", "t"]
ENDINGS = ["a", "a", "ia", "ie", "y", "an", "en", "on", "el", "er", "is", "us", "o", "ah",
           "lyn", "son", "ton", "ette", "ina", "ara", "iel", "ley", "ric", "ven", "", ""]


def make_name(rng: random.Random) -> str:
    parts = [rng.choice(ONSETS), rng.choice(VOWELS)]
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        parts += [rng.choice(MIDDLES), rng.choice(VOWELS)]
    ending = rng.choice(ENDINGS)
    name = "".join(parts)
    if ending and name[-1] in "aeiouy" and ending[0] in "aeiouy":
        name = name[:-1]
    name += ending
    return name


def main() -> None:
    rng = random.Random(1234)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < 4000:
        name = make_name(rng)
        # three vowels in a row or a doubled i/u/a/y reads as a typo, not a name
        if re.search("[aeiouy]{3}|ii|uu|aa|yy", name):
            continue
        if 3 <= len(name) <= 10 and name not in seen:
            seen.add(name)
            names.append(name)
    path = Path(__file__).resolve().parent / "names.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {path}")


if __name__ == "__main__":
    main()
