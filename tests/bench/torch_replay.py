# PyTorch side of tests/bench/replay.js: cnn-strong trained on exactly the numbers the engine trains on. Reads from
# stdin a JSON header line (the engine's layer plan and parameter layout), the engine's initial weights, the
# validation images and labels, the BatchNorm sample, then for every step the batch's size, its augmented images,
# labels and the engine's dropout masks (0/1 bytes, channels-last like the engine). The model is written with the
# engine's own weight layouts (kernels HWIO, dense [in, out], flatten channels-last) so the weights compare element
# for element, and trains with Keras's Adam (epsilon 1e-7 outside the bias correction, as the engine and Keras do;
# the header's adam "torch" places it as torch.optim.Adam does), batch-statistics BatchNorm (epsilon 1e-3) and
# lr·decay^epoch.
# Two copies train in lockstep on the same inputs: one in float32, as PyTorch trains, and, for the header's
# exactSteps (float64 convolutions are slow), one in float64, the nearest to exact arithmetic. After each epoch:
# validation accuracy with recomputed statistics (population mean and biased variance of the sample, in
# training-mode batches). Writes each copy's weights after the header's snapshot steps to DIR/{f32,f64}-STEP.f64 in
# the engine's layout and prints one JSON line: per-epoch mean training loss and validation accuracy of each copy.
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

BETA1, BETA2, EPSILON, BN_EPSILON = 0.9, 0.999, 1e-7, 1e-3
stdin = sys.stdin.buffer


def read_exact(n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = stdin.read(n - got)
        if not chunk:
            raise EOFError(f"stdin ended {n - got} bytes early")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_array(dtype, count: int) -> np.ndarray:
    return np.frombuffer(read_exact(np.dtype(dtype).itemsize * count), dtype=dtype).copy()


def same_pad(size: int, k: int, stride: int) -> tuple:
    """TensorFlow's 'same': the odd pixel of padding goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def main() -> None:
    header = json.loads(stdin.readline())
    torch.set_num_threads(header["threads"])
    flat = torch.from_numpy(read_array(np.float32, header["size"]))

    def make_track(dtype) -> dict:
        params = {}
        for layer in header["layers"]:
            for p in layer["params"]:
                t = flat[p["offset"]:p["offset"] + p["size"]].clone().to(dtype).reshape(p["shape"])
                params[p["name"]] = t.requires_grad_(not p["name"].split("/")[-1].startswith("moving_"))
        trainable = [t for t in params.values() if t.requires_grad]
        return {"params": params, "trainable": trainable, "moments": [(torch.zeros_like(t), torch.zeros_like(t)) for t in trainable], "dtype": dtype}

    # The replay in float32 (what PyTorch trains in), and the same in float64: the nearest to exact arithmetic, which
    # both float32 sides are measured against (how fast rounding alone makes two runs part).
    tracks = {"f32": make_track(torch.float32), "f64": make_track(torch.float64)}
    x_val = torch.from_numpy(read_array(np.float32, header["valRows"] * 784)).reshape(-1, 28, 28, 1)
    y_val = torch.from_numpy(read_array(np.uint8, header["valRows"]).astype(np.int64))
    sample = torch.from_numpy(read_array(np.float32, header["sampleRows"] * 784)).reshape(-1, 28, 28, 1)
    layers = header["layers"]

    def forward(track: dict, x: torch.Tensor, mode: str, masks=None, stats=None, collect=None) -> torch.Tensor:
        """x: NHWC. mode 'train' (batch statistics, masks) or 'eval' (stats[layer index] = (mean, var))."""
        params = track["params"]
        h = x.to(track["dtype"]).permute(0, 3, 1, 2)  # NCHW inside; flatten goes back to channels-last
        drop = 0
        for layer in layers:
            kind, i = layer["type"], layer["index"]
            ps = [params[p["name"]] for p in layer["params"]]
            if kind == "conv2d":
                kernel, bias = ps
                k, stride = kernel.shape[0], layer["stride"]
                top, bottom = same_pad(h.shape[2], k, stride) if layer["padding"] == "same" else (0, 0)
                left, right = same_pad(h.shape[3], k, stride) if layer["padding"] == "same" else (0, 0)
                h = F.conv2d(F.pad(h, (left, right, top, bottom)), kernel.permute(3, 2, 0, 1), bias, stride=stride)
                if layer["activation"] == "relu":
                    h = F.relu(h)
            elif kind == "batchNorm":
                gamma, beta = ps[0], ps[1]
                dims = [0, 2, 3] if h.dim() == 4 else [0]
                shape = [1, -1, 1, 1] if h.dim() == 4 else [1, -1]
                if mode == "train":
                    if collect is not None:
                        d = h.detach().double()
                        s, q, c = collect.get(i, (0, 0, 0))
                        collect[i] = (s + d.sum(dims), q + (d * d).sum(dims), c + d.numel() / d.shape[1])
                    mean = h.mean(dims, keepdim=True)
                    var = ((h - mean) ** 2).mean(dims, keepdim=True)
                else:
                    mean, var = (t.reshape(shape) for t in stats[i])
                h = (h - mean) / torch.sqrt(var + BN_EPSILON) * gamma.reshape(shape) + beta.reshape(shape)
            elif kind == "activation":
                h = F.relu(h)
            elif kind == "dropout":
                if masks is not None:
                    m = masks[drop].to(track["dtype"])
                    h = h * (m.permute(0, 3, 1, 2) if m.dim() == 4 else m)
                drop += 1
            elif kind == "flatten":
                h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)
            elif kind == "dense":
                kernel, bias = ps
                h = h @ kernel + bias
                if layer["activation"] == "relu":
                    h = F.relu(h)
            else:
                raise ValueError(f"layer type {kind} is not replayed")
        return h

    def recomputed_stats(track: dict) -> dict:
        collect = {}
        with torch.no_grad():
            for k in range(0, sample.shape[0], header["batchSize"]):
                forward(track, sample[k:k + header["batchSize"]], "train", collect=collect)
        return {i: ((s / c).to(track["dtype"]), (q / c - (s / c) ** 2).to(track["dtype"])) for i, (s, q, c) in collect.items()}

    def snapshot(name: str, track: dict, step: int) -> None:
        out = np.zeros(header["size"], dtype=np.float64)
        for layer in layers:
            for p in layer["params"]:
                out[p["offset"]:p["offset"] + p["size"]] = track["params"][p["name"]].detach().reshape(-1).double().numpy()
        out.tofile(f"{header['dir']}/{name}-{step}.f64")

    step = 0
    losses = {name: [] for name in tracks}
    vals = {name: [] for name in tracks}
    for epoch in range(header["epochs"]):
        lr = header["learningRate"] * header["decay"] ** epoch
        loss_sum = {name: 0.0 for name in tracks}
        for _ in range(header["stepsPerEpoch"]):
            m = int(read_array(np.int32, 1)[0])
            x = torch.from_numpy(read_array(np.float32, m * 784)).reshape(m, 28, 28, 1)
            y = torch.from_numpy(read_array(np.uint8, m).astype(np.int64))
            masks = []
            for d in header["dropouts"]:
                per_image = int(np.prod(d["shape"]))
                keep = np.float32(1 / (1 - d["rate"]))
                mask = read_array(np.uint8, m * per_image).astype(np.float32) * keep
                masks.append(torch.from_numpy(mask).reshape([m, *d["shape"]]))
            step += 1
            lr_t = lr * (1 - BETA2 ** step) ** 0.5 / (1 - BETA1 ** step)
            # torch.optim.Adam: w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε) = lr_t · m / (√v + ε·√(1−β₂ᵗ)).
            eps = EPSILON * (1 - BETA2 ** step) ** 0.5 if header["adam"] == "torch" else EPSILON
            if step > header["exactSteps"]:
                tracks.pop("f64", None)
            for name, track in tracks.items():
                loss = F.cross_entropy(forward(track, x, "train", masks=masks), y)
                for t in track["trainable"]:
                    t.grad = None
                loss.backward()
                with torch.no_grad():
                    for t, (mo, ve) in zip(track["trainable"], track["moments"]):
                        mo.mul_(BETA1).add_(t.grad, alpha=1 - BETA1)
                        ve.mul_(BETA2).addcmul_(t.grad, t.grad, value=1 - BETA2)
                        t.sub_(lr_t * mo / (ve.sqrt() + eps))
                loss_sum[name] += float(loss) * m
                if step in header["snapshots"]:
                    snapshot(name, track, step)
        for name, track in tracks.items():
            losses[name].append(loss_sum[name] / header["trainRows"])
            stats = recomputed_stats(track)
            with torch.no_grad():
                predicted = torch.cat([forward(track, x_val[k:k + 256], "eval", stats=stats).argmax(1) for k in range(0, x_val.shape[0], 256)])
            vals[name].append(float((predicted == y_val).float().mean()))
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "loss": losses, "val": vals}))


if __name__ == "__main__":
    main()
