"""Torch-Pruning's build + step repeated on fresh models in one process (PruneBench's warm peer).

jprune's warm figure is taken after 20 prunes in one JVM; this is the same question asked of the
peer, so that "warm / TP" does not compare a settled JVM with a first call in Python. It reuses
tp_bench.py's model factory and settings (ratio 0.5, L2 group magnitude, classifier ignored, heads
kept), so both scripts prune the same models the same way.

usage: OMP_NUM_THREADS=1 PYTHONPATH=<torch-pruning dir> python3 tp_repeat.py TP_BENCH_PY MODEL N
Prints one line 'TPREPEAT {json}': first, second and the median of prunes 3..N, in seconds.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
import tp_bench  # noqa: E402  (torch.set_num_threads(1) happens there)
import torch  # noqa: E402
import torch_pruning as tp  # noqa: E402


def build_and_step(name):
    model, ignored, heads = tp_bench.make(name)
    kw = {"out_channel_groups": heads} if heads else {}
    model.eval()
    x = torch.randn(1, 3, 224, 224)
    t0 = time.perf_counter()
    pruner = tp.pruner.BasePruner(
        model, example_inputs=x, importance=tp.importance.GroupMagnitudeImportance(p=2),
        pruning_ratio=0.5, global_pruning=False, iterative_steps=1, ignored_layers=ignored, **kw)
    pruner.step()
    return time.perf_counter() - t0


def main():
    name, n = sys.argv[2], int(sys.argv[3])
    if n < 3:
        raise SystemExit("N must be at least 3, got %d" % n)
    torch.manual_seed(0)
    times = [build_and_step(name) for _ in range(n)]
    print("TPREPEAT " + json.dumps({
        "model": name, "first_s": round(times[0], 4), "second_s": round(times[1], 4),
        "settled_s": round(statistics.median(times[2:]), 4),
        "all_s": [round(t, 4) for t in times]}), flush=True)


if __name__ == "__main__":
    main()
