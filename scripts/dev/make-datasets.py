#!/usr/bin/env python3
"""Writes the two small data sets the example experiment classifies (deterministic, no dependencies).

blobs: three overlapping Gaussian classes in four dimensions, 300 rows.
rings: two noisy concentric rings in two dimensions, 300 rows (not linearly separable).
"""
import math
import random
import sys
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else "src/main/resources/datasets")
out.mkdir(parents=True, exist_ok=True)
rnd = random.Random(20261128)

with open(out / "blobs.csv", "w") as f:
    f.write("x1,x2,x3,x4,label\n")
    centers = [(0.0, 0.0, 0.0, 0.0), (2.0, 1.5, 0.5, 1.0), (0.5, 2.5, 2.0, -0.5)]
    for i in range(300):
        c = i % 3
        xs = [rnd.gauss(m, 1.0) for m in centers[c]]
        f.write(",".join(f"{x:.4f}" for x in xs) + f",{c}\n")

with open(out / "rings.csv", "w") as f:
    f.write("x1,x2,label\n")
    for i in range(300):
        c = i % 2
        r = (1.0 if c == 0 else 2.0) + rnd.gauss(0, 0.3)
        a = rnd.uniform(0, 2 * math.pi)
        f.write(f"{r * math.cos(a):.4f},{r * math.sin(a):.4f},{c}\n")
