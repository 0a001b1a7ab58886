#!/usr/bin/env python3
"""Prints one markdown table row from a run's metrics.jsonl (its last evaluation): see ablation-row.sh."""
import json
import sys

name, run, wall, settings = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
last_eval, last = None, None
with open(run + "/metrics.jsonl") as f:
    for line in f:
        m = json.loads(line)
        last = m
        if "brier_lm" in m:
            last_eval = m
e = last_eval or {}
def g(key, fmt="{:.3f}"):
    v = e.get(key)
    return "" if v is None else fmt.format(v)
loss = e.get("valid_energy_loss", e.get("valid_loss", e.get("valid_ce")))
cells = [name, g("brier_lm", "{:.2f}"), g("brier_1"), g("brier_2"), g("brier_3"), g("brier_4"),
         "" if loss is None else "{:.2f}".format(loss), g("energy_marginal", "{:.2f}"), g("energy_oracle", "{:.2f}"),
         g("on_manifold", "{:.2f}"), "{:.2e}".format(last.get("train_flops", float("nan"))), wall + " s",
         str(last["step"]), settings.strip()]
print("| " + " | ".join(cells) + " |")
