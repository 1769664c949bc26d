"""The LLM classifier: opinions in numbered batches inside <opinion> tags, answers as `3: service` lines,
each parsed into a model whose theme is a Literal of the loaded taxonomy's ids; retried, then the
embedded classifier answers whatever the LLM could not, with a warning."""

import re
from typing import Any, Literal

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field, ValidationError, create_model

from drafting.config import Settings
from drafting.errors import LLMUnavailable
from drafting.feedback.classify_embedded import EmbeddedClassifier
from drafting.feedback.models import Assignment, Taxonomy
from drafting.llm import Budget, complete, messages
from drafting.templates import render

BATCH = 20
EXAMPLES_PER_THEME = 2
EXAMPLE_CHARS = 80
OPINION_CHARS = 600
NONE = "none"
_LINE = re.compile(r"^\s*[\[(（【]?\s*(\d+)\s*[\])）】]?\s*[.、:：=\-—]+\s*(.+?)\s*$")
_TRAILING = "。.，,；;！!）)】]\"'“”`*"


def label_model(taxonomy: Taxonomy) -> type[BaseModel]:
    """One answer line as a model: the theme must be one of the taxonomy's ids (or none)."""
    ids = tuple(t.id for t in taxonomy.themes) + (NONE,)
    return create_model(
        "OpinionLabel",
        number=(int, Field(ge=1, description="The opinion's number in the batch")),
        theme=(Literal[ids], Field(description="Theme id from the loaded taxonomy, or none")),  # type: ignore[valid-type,arg-type]
    )


def parse_reply(text: str, numbers: list[int], model: type[BaseModel], taxonomy: Taxonomy
                ) -> tuple[dict[int, str | None], list[str]]:
    """Answers by opinion number, and the problems (in Chinese) that a re-ask should fix."""
    by_name = {t.name: t.id for t in taxonomy.themes}
    wanted = set(numbers)
    found: dict[int, str | None] = {}
    problems: list[str] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match or int(match.group(1)) not in wanted:
            continue
        number, raw = int(match.group(1)), match.group(2).strip(_TRAILING).strip()
        raw = by_name.get(raw, raw)
        try:
            label: Any = model(number=number, theme=raw.lower() if raw.lower() == NONE else raw)
        except ValidationError:
            problems.append(f"第 {number} 条的“{raw[:30]}”不是分类表中的 id")
            continue
        found[number] = None if label.theme == NONE else label.theme
    problems += [f"缺少第 {n} 条的答案" for n in numbers if n not in found and not _mentioned(n, problems)]
    return found, problems


def _mentioned(number: int, problems: list[str]) -> bool:
    return any(p.startswith(f"第 {number} 条") for p in problems)


def _as_data(text: str, limit: int) -> str:
    """An opinion as inert data: on one line, unable to close or open a tag."""
    flat = " ".join(text.split())[:limit]
    return flat.replace("<", "＜").replace(">", "＞")


class LLMClassifier:
    """Classifies with the chat model; `fall_back` decides whether an unreachable LLM means the embedded
    classifier (with a warning) or LLMUnavailable."""

    name: Literal["llm"] = "llm"
    rereads_lines = False  # an LLM is not asked twice

    def __init__(self, taxonomy: Taxonomy, chat_model: BaseChatModel, settings: Settings,
                 embedded: EmbeddedClassifier, *, fall_back: bool = True, batch: int = BATCH) -> None:
        self.taxonomy = taxonomy
        self.ids = [t.id for t in taxonomy.themes]
        self.warnings: list[str] = []
        self.engine: Literal["llm", "embedded"] = "llm"
        self._chat = chat_model
        self._settings = settings
        self._embedded = embedded
        self._fall_back = fall_back
        self._batch = batch
        self._model = label_model(taxonomy)
        self._system = render("llm/classify_system.j2", themes=taxonomy.themes)
        self._examples = [{"theme": t.id, "text": _as_data(e, EXAMPLE_CHARS)}
                          for t in taxonomy.themes for e in t.examples[:EXAMPLES_PER_THEME]]

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._embedded.embed(texts)

    def fit(self) -> None:
        """The embedded model scores the LLM's answers and stands in for it: fitted (or loaded) now."""
        self._embedded.fit()

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]:
        self.warnings = []
        self.engine = "llm"
        probs = self._embedded.probabilities(texts, vectors)
        answers: dict[int, str | None] = {}
        budget = Budget(self._settings)
        for start in range(0, len(texts), self._batch):
            try:
                batch = self._ask(texts[start:start + self._batch], budget)
                answers.update({start + k: v for k, v in batch.items()})
            except LLMUnavailable as exc:
                if not self._fall_back:
                    raise
                self.engine = "embedded" if not answers else "llm"
                self.warnings.append(f"{exc.message}；第 {start + 1} 条起的 {len(texts) - start} 条意见"
                                     "改用内置分类器归类")
                break
        else:
            unanswered = len(texts) - len(answers)
            if unanswered:
                self.warnings.append(f"大模型对 {unanswered} 条意见没有给出有效答案，"
                                     "这些意见改用内置分类器归类")
        rows = zip(probs, texts, strict=True)
        return [self._assignment(answers, i, row, text) for i, (row, text) in enumerate(rows)]

    def _assignment(self, answers: dict[int, str | None], i: int, row: np.ndarray, text: str) -> Assignment:
        """The LLM's theme scored by the embedded model's agreement; else the embedded answer."""
        if i not in answers:
            return self._embedded.assign(row, text)
        theme = answers[i]
        if theme is None:
            return Assignment(theme=None, score=float(1.0 - row.max()))
        return Assignment(theme=theme, score=float((1.0 + row[self.ids.index(theme)]) / 2.0))

    def _ask(self, texts: list[str], budget: Budget) -> dict[int, str | None]:
        """0-based answers for one batch; LLMUnavailable when the model cannot be reached or read."""
        numbers = list(range(1, len(texts) + 1))
        opinions = [{"number": n, "text": _as_data(t, OPINION_CHARS)}
                    for n, t in zip(numbers, texts, strict=True)]
        prompt: list[BaseMessage] = messages(
            self._system, render("llm/classify_user.j2", opinions=opinions, examples=self._examples))
        found: dict[int, str | None] = {}
        pending = numbers
        for _ in range(self._settings.llm_retries + 1):
            reply = complete(self._chat, prompt, self._settings, budget=budget)
            got, problems = parse_reply(reply, pending, self._model, self.taxonomy)
            found.update(got)
            pending = [n for n in pending if n not in found]
            if not pending:
                break
            prompt = [*prompt, AIMessage(content=reply),
                      HumanMessage(content=render("llm/classify_repair.j2", problems=problems, ids=self.ids))]
        if not found:
            raise LLMUnavailable("大模型的回答无法解析为主题 id")
        return {n - 1: theme for n, theme in found.items()}
