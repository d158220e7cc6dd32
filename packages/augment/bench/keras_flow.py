"""Keras' own ImageDataGenerator.flow (keras_preprocessing, Debian's python3-keras-preprocessing)
end to end: one epoch of `flow(x, y, batch_size=32)` over CIFAR images, the tutorial's settings
(rotation 10, shifts 0.2, horizontal flip). Prints one JSON line: {"imagesPerSecond": ...}.

Run by bench/flow.mjs (interleaved with tfbricks' flow()); alone: python3 bench/keras_flow.py N
"""
import json, os, sys, time
import numpy as np
from keras_preprocessing import __version__ as kp_version
from keras_preprocessing.image import ImageDataGenerator

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3200
here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, '../../../../shared/data/cifar10-mini/cifar-10-batches-bin/test_batch.bin')
raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
raw = raw[np.arange(n) % len(raw)]
x = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32) / 255
y = raw[:, 0].astype(np.int64)

gen = ImageDataGenerator(rotation_range=10, width_shift_range=0.2, height_shift_range=0.2, horizontal_flip=True)
flow = gen.flow(x, y, batch_size=32, seed=1)
for _ in range(5):  # warm-up
    next(flow)
flow.on_epoch_end()
t = time.perf_counter()
seen = 0
for i in range(len(flow)):
    bx, by = flow[i]
    seen += len(bx)
s = time.perf_counter() - t
print(json.dumps({"imagesPerSecond": seen / s, "images": seen, "keras_preprocessing": kp_version, "numpy": np.__version__}))
