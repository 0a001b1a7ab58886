#!/usr/bin/env python3
"""Prints, for each CALM run folder given, the norm of the energy head's residual-block output projections
(mlp_generator.mlp_blocks.*.down_proj.weight, mean over blocks) from its model.safetensors (float32).
A run stuck at the marginal level had 1.5-2.1 where learning runs had 3.3-5.0 (docs/EXPERIMENTS.md, "Warmup").

    scripts/head-block-norms.py RUN [RUN ...]
"""
import json
import struct
import sys

import numpy as np


def tensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    for name, v in header.items():
        if name == "__metadata__" or v["dtype"] != "F32":
            continue
        s, e = v["data_offsets"]
        yield name, np.frombuffer(b[8 + n + s:8 + n + e], dtype=np.float32).reshape(v["shape"])


for run in sys.argv[1:]:
    norms = [float(np.linalg.norm(t)) for name, t in tensors(run + "/model.safetensors")
             if name.startswith("mlp_generator.mlp_blocks.") and name.endswith(".down_proj.weight")]
    print(f"{run}: head block down_proj norm {sum(norms) / len(norms):.2f} (blocks: {', '.join(f'{x:.2f}' for x in norms)})"
          if norms else f"{run}: no float32 energy-head blocks found")
