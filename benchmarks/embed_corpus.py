"""Time embedding the whole sample corpus; with --write, refresh the vectors that ship with it.

    .venv/bin/python benchmarks/embed_corpus.py [--write]

A fresh store loads the shipped vectors (corpus/vectors/) instead of embedding the sample again;
chunks whose text changed get new ids and are embedded on load, so a stale file is slow, never wrong.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.config import CORPUS_DIR, Settings  # noqa: E402
from drafting.corpus.load import collect_paths, read_file, split_chunks  # noqa: E402
from drafting.corpus.store import embedding_text, open_store, save_sample_vectors  # noqa: E402
from drafting.embed import make_embedder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write corpus/vectors/<embedder>.npz")
    args = parser.parse_args()
    settings = Settings(home=Path(tempfile.mkdtemp(prefix="drafting-embed-")))
    embedder = make_embedder(settings)
    chunks = [chunk for path in collect_paths([CORPUS_DIR]) for chunk in split_chunks(read_file(path, 10**8))]
    texts = [embedding_text(chunk) for chunk in chunks]
    embedder.passages(["预热"])
    start = time.perf_counter()
    vectors = embedder.passages(texts)
    seconds = time.perf_counter() - start
    print(
        f"embedder {embedder.name}: {len(texts)} chunks, {sum(map(len, texts))} characters, "
        f"{seconds:.1f} s embedding ({len(texts) / seconds:.1f} chunks/s)"
    )
    start = time.perf_counter()
    store = open_store(settings, embedder)
    print(f"open_store on an empty home: {time.perf_counter() - start:.1f} s, {store.count()} chunks")
    start = time.perf_counter()
    open_store(settings, embedder)
    print(f"open_store on the existing home: {time.perf_counter() - start:.2f} s")
    if args.write:
        print("wrote", save_sample_vectors(embedder, [chunk.id for chunk in chunks], vectors))


if __name__ == "__main__":
    main()
