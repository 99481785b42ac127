# PyTorch reference for tests/bench/train.js: the same LeNet-5, batch size, optimizer and images, timed the same
# way (one epoch of shuffled batches, batch gathering included). Prints one JSON line.
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),  # softmax is folded into CrossEntropyLoss
    )


def main() -> None:
    pixels_path, labels_path, batch, batches, predict_count, threads = sys.argv[1:7]
    batch, batches, predict_count, threads = int(batch), int(batches), int(predict_count), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    labels = torch.from_numpy(np.fromfile(labels_path, dtype=np.uint8).astype(np.int64))
    n = labels.shape[0]
    x = torch.from_numpy(np.fromfile(pixels_path, dtype=np.uint8).reshape(n, 1, 28, 28).astype(np.float32) / 255.0)

    model = lenet()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(n)

    def step(k: int) -> float:
        idx = order[(k * batch) % (n - batch + 1):][:batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), labels[idx])
        loss.backward()
        opt.step()
        return loss.item()

    for k in range(20):  # warm-up, as the JS side does
        step(k)
    # Its speed here is bimodal (~3k or ~9k img/s for long stretches): keep per-100-batch rates to show it.
    start = time.perf_counter()
    block_start = start
    blocks = []
    last = 0.0
    for k in range(batches):
        last = step(k)
        if (k + 1) % 100 == 0:
            now = time.perf_counter()
            blocks.append(100 * batch / (now - block_start))
            block_start = now
    train_seconds = time.perf_counter() - start
    blocks.sort()

    # The common recipe, a shuffling DataLoader over a TensorDataset, for comparison: per-item indexing + collate.
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, labels), batch_size=batch, shuffle=True)
    start = time.perf_counter()
    for k, (xb, yb) in enumerate(loader):
        if k == batches:
            break
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
    loader_seconds = time.perf_counter() - start

    model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, predict_count, 1000):
            torch.softmax(model(x[i:i + 1000]), dim=1)
    predict_seconds = time.perf_counter() - start

    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "params": params,
        "imagesPerSecond": batches * batch / train_seconds, "lastLoss": last,
        "blockImagesPerSecond": [blocks[0], blocks[len(blocks) // 2], blocks[-1]] if blocks else [],
        "dataLoaderImagesPerSecond": min(batches, len(loader)) * batch / loader_seconds,
        "predictPerSecond": predict_count / predict_seconds,
    }))


if __name__ == "__main__":
    main()
