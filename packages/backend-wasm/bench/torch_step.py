"""PyTorch CPU reference for bench/training.ts: the same models, batch, loss and Adam as
tfbricks' fit, timed per training step. Prints one JSON line. Debian's python3-torch.

usage: python3 torch_step.py MODEL STEPS WARMUP THREADS   (MODEL: seed | resnet20 | tiny)
"""
import json
import sys
import time

import torch
import torch.nn as nn


def seed_model():
    layers, c = [], 3
    def conv(f):
        nonlocal c
        layers.extend([nn.Conv2d(c, f, 3, padding=1), nn.ReLU()])
        c = f
    for f in [32, 32, 32, 48, 48]:
        conv(f)
    layers += [nn.MaxPool2d(2), nn.Dropout(0.25)]
    for _ in range(5):
        conv(80)
    layers += [nn.MaxPool2d(2), nn.Dropout(0.25)]
    for _ in range(5):
        conv(128)
    layers += [nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Dropout(0.25), nn.Linear(128, 500), nn.ReLU(), nn.Dropout(0.25), nn.Linear(500, 10)]
    return nn.Sequential(*layers)


class Block(nn.Module):
    """Keras cifar10_resnet v1 basic block: conv-BN-ReLU, conv-BN, add (1x1 conv shortcut when strided), ReLU."""
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.short = nn.Conv2d(cin, cout, 1, stride) if stride != 1 else None
    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu((self.short(x) if self.short is not None else x) + y)


def resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.ReLU()]
    cin = 16
    for stack, f in enumerate([16, 32, 64]):
        for block in range(3):
            layers.append(Block(cin, f, 2 if stack > 0 and block == 0 else 1))
            cin = f
    layers += [nn.AvgPool2d(8), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def tiny():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


def main():
    name, steps, warmup, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = {'seed': seed_model, 'resnet20': resnet20, 'tiny': tiny}[name]()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(32, 3, 32, 32)
    y = torch.randint(0, 10, (32,))
    times = []
    for i in range(warmup + steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append(time.perf_counter() - t)
    ms = 1000 * sum(times) / len(times)
    print(json.dumps({'model': name, 'threads': threads, 'params': sum(p.numel() for p in model.parameters()), 'msPerStep': ms, 'stepsMs': [1000 * t for t in times]}))


main()
