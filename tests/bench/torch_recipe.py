# PyTorch side of tests/bench/recipe.js: cnn-strong trained with the preset's whole recipe, as Keras would run it —
# glorot-uniform kernels and zero biases (Keras' defaults, not torch's), Keras-style BatchNorm, Adam 1e-3 (epsilon
# 1e-7) with lr 1e-3·0.95^epoch, batch 64 over a fresh shuffle each epoch (last partial batch kept), the preset's
# augmentation per batch, the last 10% of the rows as validation scored in eval mode after every epoch.
# The model and augmentation are the ones tests/bench/torch_cnn_strong.py times. Prints one JSON line.
# Validation is scored three ways after every epoch, as the engine's BatchNorm statistics options give them (the
# training itself does not depend on them): keras (the running averages), debiased (the running averages corrected
# by 1 − 0.99ᵗ from their start at mean 0 / variance 1) and recomputed (the population mean and biased variance over
# 2,048 fixed training images, unaugmented, in batches of 64 in training mode with dropout off).
import copy
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


BN_SAMPLE = 2048


def bn_layers(model: nn.Module) -> list:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def debiased(model: nn.Module) -> nn.Module:
    """A copy whose running statistics are corrected for their start: (r_t − 0.99ᵗ r_0) / (1 − 0.99ᵗ)."""
    out = copy.deepcopy(model)
    for bn in bn_layers(out):
        decay = 0.99 ** int(bn.num_batches_tracked)
        bn.running_mean.copy_(bn.running_mean / (1 - decay))
        bn.running_var.copy_((bn.running_var - decay) / (1 - decay))
    return out


def recomputed(model: nn.Module, sample: torch.Tensor) -> nn.Module:
    """A copy whose running statistics are the population statistics of `sample` in training-mode batches of 64."""
    out = copy.deepcopy(model)
    sums = {}

    def hook(bn, inputs):
        x = inputs[0].double()
        dims = [0, 2, 3] if x.dim() == 4 else [0]
        count = x.numel() / x.shape[1]
        s, q, c = sums.get(bn, (0, 0, 0))
        sums[bn] = (s + x.sum(dims), q + (x * x).sum(dims), c + count)

    handles = [bn.register_forward_pre_hook(hook) for bn in bn_layers(out)]
    out.eval()
    for bn in bn_layers(out):
        bn.train()
    with torch.no_grad():
        for k in range(0, sample.shape[0], 64):
            out(sample[k:k + 64])
    for h in handles:
        h.remove()
    for bn, (s, q, c) in sums.items():
        mean = s / c
        bn.running_mean.copy_(mean.float())
        bn.running_var.copy_((q / c - mean * mean).float())
    return out.eval()


def accuracy(model: nn.Module, x_val: torch.Tensor, y_val: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x_val[k:k + 256]).argmax(1) for k in range(0, x_val.shape[0], 256)])
    return float((predicted == y_val).float().mean())


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
    sample = x_train[torch.randperm(n_train, generator=torch.Generator().manual_seed(seed + 2))[:BN_SAMPLE]]
    start = time.perf_counter()
    val_accs = {"keras": [], "debiased": [], "recomputed": []}
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
        val_accs["keras"].append(accuracy(model, x_val, y_val))
        val_accs["debiased"].append(accuracy(debiased(model), x_val, y_val))
        val_accs["recomputed"].append(accuracy(recomputed(model, sample), x_val, y_val))
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "valAcc": val_accs,
        "seconds": time.perf_counter() - start,
    }))


if __name__ == "__main__":
    main()
