# PyTorch side of tests/bench/recipe.js: cnn-strong trained with the preset's whole recipe, as Keras would run it —
# glorot-uniform kernels and zero biases (Keras' defaults, not torch's), Keras-style BatchNorm, Adam 1e-3 (epsilon
# 1e-7) with lr 1e-3·0.95^epoch, batch 64 over a fresh shuffle each epoch (last partial batch kept), the preset's
# augmentation per batch, the last 10% of the rows as validation scored in eval mode after every epoch.
# The model and augmentation are the ones tests/bench/torch_cnn_strong.py times. Prints one JSON line.
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cnn_strong import augment, cnn_strong  # noqa: E402


def keras_init(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def main() -> None:
    pixels_path, labels_path, epochs, seed, threads = sys.argv[1:6]
    epochs, seed, threads = int(epochs), int(seed), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    labels = torch.from_numpy(np.fromfile(labels_path, dtype=np.uint8).astype(np.int64))
    n = labels.shape[0]
    x = torch.from_numpy(np.fromfile(pixels_path, dtype=np.uint8).reshape(n, 1, 28, 28).astype(np.float32) / 255.0)
    n_val = round(n * 0.1)
    n_train = n - n_val
    x_train, y_train, x_val, y_val = x[:n_train], labels[:n_train], x[n_train:], labels[n_train:]

    model = cnn_strong()
    keras_init(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    batch = 64
    start = time.perf_counter()
    val_accs = []
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = 1e-3 * 0.95 ** epoch
        model.train()
        order = torch.randperm(n_train, generator=gen)
        for k in range(0, n_train, batch):
            idx = order[k:k + batch]
            opt.zero_grad()
            loss = loss_fn(model(augment(x_train[idx], gen)), y_train[idx])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            predicted = torch.cat([model(x_val[k:k + 256]).argmax(1) for k in range(0, n_val, 256)])
        val_accs.append(float((predicted == y_val).float().mean()))
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "valAcc": val_accs,
        "best": max(val_accs), "seconds": time.perf_counter() - start,
    }))


if __name__ == "__main__":
    main()
