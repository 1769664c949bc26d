"""The LLM draft chain on every facts file in tests/data/facts, with exemplars retrieved from the real corpus,
against a scripted model on 127.0.0.1 that is faithful but careless: it invents a figure in some sections
and drops a fact in others, and fixes exactly what a repair prompt names.

Prints, per facts file: requests (and repairs), prompt size in characters, whether the final draft verifies,
and the chain's own time (the scripted model answers at once).
Run: .venv/bin/python benchmarks/llm_draft_fake.py
"""

import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DRAFTING_HOME", str(Path(tempfile.gettempdir()) / "drafting-bench-home"))

from drafting import runtime  # noqa: E402
from drafting.config import Settings  # noqa: E402
from drafting.fake_openai import FakeOpenAI, prompt_text, serving  # noqa: E402
from drafting.llm import make_chat_model  # noqa: E402
from drafting.writer.exemplars import retrieve_exemplars  # noqa: E402
from drafting.writer.facts import load_facts  # noqa: E402
from drafting.writer.llm_engine import LLMDraftEngine  # noqa: E402

OUTLINE = """一、采取四项措施，找准群众评议工作风向标
1. 准备工作求细
二、突出四种特性，确保群众评议工作实打实
1. 增强针对性
三、围绕四个确保，抓好群众评议工作着力点
1. 确保了解民情民意
四、存在的问题
五、下一步打算"""
MUST_USE = "必须写入下列事实（数字照原样写）：\n"
NUMERALS = "一二三四五六七八九十"
CARELESS = 0.3  # share of sections where the model invents a figure, and (separately) drops a fact


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0] if start in text else ""


class CarelessModel:
    """Writes each section from the facts it is told to use; sometimes adds a figure or leaves one out."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def __call__(self, request: dict[str, Any]) -> str:
        prompt = request["messages"][-1]["content"]
        if "拟定提纲" in prompt:
            return "标题：" + between(prompt, "一般写作“", "”") + "\n" + OUTLINE
        if "核对发现" in prompt:
            return self.repair(prompt)
        facts = [line[2:] for line in between(prompt, MUST_USE, "\n\n").splitlines()]
        if facts and self.rng.random() < CARELESS:
            facts.pop(self.rng.randrange(len(facts)))
        lines = ["坚持以群众满意为目标，扎实推进群众评议工作。"]
        lines += [f"{NUMERALS[i % 10]}是{fact.split('：', 1)[-1]}。" for i, fact in enumerate(facts)]
        if self.rng.random() < CARELESS:
            lines.append(f"另走访群众{self.rng.randint(101, 999)}户。")
        return "\n".join(lines)

    @staticmethod
    def repair(prompt: str) -> str:
        faults = between(prompt, "<faults>\n", "</faults>")
        text = between(prompt, "<section>\n", "\n</section>").splitlines()
        for figure in re.findall(r"数字“([^”]+)”在事实中没有依据", faults):
            text = [line for line in text if figure not in line]
        text += [f"{item}。" for item in re.findall(r"“([^”]+)”[^“]*没有(?:按原样)?写入", faults)]
        return "\n".join(text)


def main() -> None:
    files = sorted((ROOT / "tests" / "data" / "facts").glob("*.json"))
    retriever = runtime.retriever()
    print(f"{'facts':32} {'requests':>8} {'repairs':>7} {'prompt max':>10} {'prompt sum':>10} "
          f"{'ok':>3} {'secs':>5}")
    totals = {"ok": 0, "n": 0}
    for seed, path in enumerate(files):
        try:
            facts = load_facts(path)
        except Exception as exc:  # noqa: BLE001 - a facts file meant to be refused
            print(f"{path.name:32} refused: {exc}")
            continue
        exemplars = retrieve_exemplars(facts, retriever)
        with serving(FakeOpenAI(reply=CarelessModel(seed))) as fake:
            settings = Settings(llm_model="careless", openai_base_url=fake.url, openai_api_key="k",
                                llm_timeout=10, llm_retries=0)
            chat = make_chat_model(settings)
            assert chat is not None
            started = time.perf_counter()
            draft = LLMDraftEngine(chat, settings).write(facts, exemplars)
            seconds = time.perf_counter() - started
            prompts = [len(prompt_text(r)) for r in fake.chat_requests]
            repairs = sum("核对发现" in prompt_text(r) for r in fake.chat_requests)
        totals["n"] += 1
        totals["ok"] += draft.verification.ok
        print(f"{path.name:32} {len(prompts):8} {repairs:7} {max(prompts):10} {sum(prompts):10} "
              f"{'yes' if draft.verification.ok else 'no':>3} {seconds:5.2f}")
    print(f"verified after repair: {totals['ok']}/{totals['n']} drafts (careless rate {CARELESS:.0%})")


if __name__ == "__main__":
    main()
