"""Same-machine baseline for BENCHMARKS.md: the per-image path Keras' ImageDataGenerator.flow
takes (keras_preprocessing 1.1.2: draw parameters with numpy, build the matrix, one
scipy.ndimage.affine_transform per channel, flip), re-implemented with numpy + scipy,
because Keras/TensorFlow itself is not installed here. Settings: rotation 10, shifts 0.2,
horizontal flip, batch 32, 32x32x3 CIFAR images.

Run: python3 bench/keras_baseline.py
"""
import os, time
import numpy as np
from scipy import ndimage

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, '../../../../shared/data/cifar10-mini/cifar-10-batches-bin/test_batch.bin')
raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)[:32]
x = (raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32) / 255).astype(np.float32)

def one(img):
    h, w = img.shape[:2]
    theta = np.deg2rad(np.random.uniform(-10, 10))
    tx = np.random.uniform(-0.2, 0.2) * h
    ty = np.random.uniform(-0.2, 0.2) * w
    flip = np.random.random() < 0.5
    m = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    m = m @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    o = np.array([[1, 0, h / 2 - 0.5], [0, 1, w / 2 - 0.5], [0, 0, 1]])
    r = np.array([[1, 0, -(h / 2 - 0.5)], [0, 1, -(w / 2 - 0.5)], [0, 0, 1]])
    m = (o @ m @ r)[[1, 0, 2]][:, [1, 0, 2]]
    out = np.stack([ndimage.affine_transform(img[:, :, k], m[:2, :2], m[:2, 2], order=1, mode='nearest', cval=0.0) for k in range(3)], axis=2)
    return out[:, ::-1] if flip else out

batches = 60
for _ in range(3):
    np.stack([one(i) for i in x])
t = time.perf_counter()
for _ in range(batches):
    batch = np.zeros_like(x)
    for i, img in enumerate(x):
        batch[i] = one(img)
s = time.perf_counter() - t
print('numpy %s, scipy ndimage: %.0f images/s (%.2f ms/batch of 32)' % (np.__version__, batches * 32 / s, s * 1000 / batches))
