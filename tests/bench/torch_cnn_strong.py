# PyTorch reference for tests/bench/train.js: the cnn-strong preset (32C3-32C3-32C5S2-64C3-64C3-64C5S2-128-10
# with Keras-style BatchNorm, dropout 0.4), batch 64, Adam 1e-3 (epsilon 1e-7), the preset's augmentation done per
# batch with affine_grid/grid_sample, timed like the JS side (batch gathering and augmentation included).
# Prints one JSON line.
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def bn2d(c: int) -> nn.Module:
    # Keras: momentum 0.99 (torch's 0.01 is the weight of the new value), epsilon 1e-3.
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


def block(cin: int, cout: int, k: int, stride: int, same_pad: tuple) -> list:
    # Keras 'same' padding: the odd pixel goes to the bottom/right, as ZeroPad2d(left, right, top, bottom) does here.
    return [nn.ZeroPad2d(same_pad), nn.Conv2d(cin, cout, k, stride=stride), bn2d(cout), nn.ReLU()]


def cnn_strong() -> nn.Module:
    return nn.Sequential(
        *block(1, 32, 3, 1, (1, 1, 1, 1)), *block(32, 32, 3, 1, (1, 1, 1, 1)), *block(32, 32, 5, 2, (1, 2, 1, 2)),
        nn.Dropout(0.4),
        *block(32, 64, 3, 1, (1, 1, 1, 1)), *block(64, 64, 3, 1, (1, 1, 1, 1)), *block(64, 64, 5, 2, (1, 2, 1, 2)),
        nn.Dropout(0.4),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 128), nn.BatchNorm1d(128, eps=1e-3, momentum=0.01), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(128, 10),  # softmax is folded into CrossEntropyLoss
    )


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """The preset's augmentation (src/shared/augment.ts): rotation ±10°, zoom ±0.1 per axis, shifts ±0.1 of the
    side, bilinear, black outside; the same inverse map in normalised coordinates (align_corners: pixel centres)."""
    n = x.shape[0]
    u = torch.rand(n, 5, generator=gen) * 2 - 1
    angle = u[:, 0] * 10 * math.pi / 180
    zx, zy = 1 + u[:, 1] * 0.1, 1 + u[:, 2] * 0.1
    half = (28 - 1) / 2
    tx, ty = u[:, 3] * 0.1 * 28 / half, u[:, 4] * 0.1 * 28 / half
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([
        torch.stack([cos / zx, sin / zx, -(cos * tx + sin * ty) / zx], 1),
        torch.stack([-sin / zy, cos / zy, -(-sin * tx + cos * ty) / zy], 1),
    ], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=True)


def main() -> None:
    pixels_path, labels_path, batch, batches, warmup, threads = sys.argv[1:7]
    batch, batches, warmup, threads = int(batch), int(batches), int(warmup), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(2)
    labels = torch.from_numpy(np.fromfile(labels_path, dtype=np.uint8).astype(np.int64))
    n = labels.shape[0]
    x = torch.from_numpy(np.fromfile(pixels_path, dtype=np.uint8).reshape(n, 1, 28, 28).astype(np.float32) / 255.0)

    model = cnn_strong()
    model.train()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(n)

    def step(k: int) -> float:
        idx = order[(k * batch) % (n - batch + 1):][:batch]
        opt.zero_grad()
        loss = loss_fn(model(augment(x[idx], gen)), labels[idx])
        loss.backward()
        opt.step()
        return loss.item()

    for k in range(warmup):
        step(k)
    start = time.perf_counter()
    last = 0.0
    for k in range(batches):
        last = step(warmup + k)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "params": params,
        "imagesPerSecond": batches * batch / seconds, "lastLoss": last,
    }))


if __name__ == "__main__":
    main()
