# PyTorch reference for tests/bench/predict.js: eval-mode inference of the same model (seed-lenet5 or cnn-strong)
# on the same images, with the same test-time augmentation (the image and four 1-pixel shifts, zero-filled,
# probabilities averaged). Timed from the uint8 pixels to the averaged probabilities, as the JS side is; Python's
# start-up, `import torch` and building the model are left out in its favour. Prints one JSON line.
#   /usr/bin/python3 tests/bench/torch_predict.py PIXELS.u8 ROWS MODEL TTA THREADS BATCH
import json
import sys
import time

import numpy as np
import torch
from torch import nn

SHIFTS = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]


def lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def cnn_strong() -> nn.Module:
    def block(cin: int, cout: int, k: int, stride: int = 1) -> list:
        # Keras 'same' padding: k // 2 on each side for odd k (stride 2 on 28 and 14: identical output here).
        return [nn.Conv2d(cin, cout, k, stride, padding=k // 2), nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU()]

    return nn.Sequential(
        *block(1, 32, 3), *block(32, 32, 3), *block(32, 32, 5, 2), nn.Dropout(0.4),
        *block(32, 64, 3), *block(64, 64, 3), *block(64, 64, 5, 2), nn.Dropout(0.4),
        nn.Flatten(), nn.Linear(3136, 128), nn.BatchNorm1d(128, eps=1e-3), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(128, 10),
    )


def shifted(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    if dx == 0 and dy == 0:
        return x
    out = torch.zeros_like(x)
    h, w = x.shape[2], x.shape[3]
    out[:, :, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = x[:, :, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def main() -> None:
    path, rows, model_name, tta, threads, batch = sys.argv[1:7]
    rows, tta, threads, batch = int(rows), tta == '1', int(threads), int(batch)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = (cnn_strong() if model_name == 'cnn-strong' else lenet()).eval()
    raw = np.fromfile(path, dtype=np.uint8, count=rows * 784).reshape(rows, 1, 28, 28)
    views = SHIFTS if tta else SHIFTS[:1]
    with torch.inference_mode():
        model(torch.zeros(batch, 1, 28, 28))  # warm-up: oneDNN primitives for this batch shape
        start = time.perf_counter()
        x = torch.from_numpy(raw).float().div_(255.0)
        probs = torch.zeros(rows, 10)
        for dx, dy in views:
            xv = shifted(x, dx, dy)
            for i in range(0, rows, batch):
                probs[i:i + batch] += torch.softmax(model(xv[i:i + batch]), dim=1)
        probs /= len(views)
        seconds = time.perf_counter() - start
    print(json.dumps({'seconds': seconds, 'rows': rows, 'checksum': float(probs.sum())}))


if __name__ == '__main__':
    main()
