"""The writer pipeline: facts -> retrieved exemplars -> the chosen engine -> a verified draft."""

from collections.abc import Callable

from drafting.corpus.models import Retriever
from drafting.embed import Embedder
from drafting.errors import DraftingError
from drafting.writer.exemplars import retrieve_exemplars
from drafting.writer.facts import Facts
from drafting.writer.models import Draft, DraftEngine, Exemplars


def write_draft(facts: Facts, *, retriever: Retriever | None, engine: DraftEngine,
                exclude_docs: set[str] | None = None, embedder: Embedder | None = None,
                on_text: Callable[[str], None] | None = None) -> Draft:
    """Retrieve exemplars for each slot (and place the facts' deeds by meaning when given the embedder),
    then let the engine write; the result carries its verification."""
    warnings: list[str] = []
    exemplars = Exemplars()
    if retriever is not None:
        try:
            exemplars = retrieve_exemplars(facts, retriever, exclude_docs=exclude_docs, embedder=embedder)
        except DraftingError as exc:
            warnings.append(f"未能检索范文，已只用模板起草：{exc.message}")
    draft = engine.write(facts, exemplars, on_text)
    if warnings:
        draft = draft.model_copy(update={"warnings": warnings + draft.warnings})
    return draft
