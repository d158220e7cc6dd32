# Writes N small JPEGs (PIL, quality 90) into <root>/<class>/ for bench/decode-folder.ts.
import os, sys
import numpy as np
from PIL import Image

root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.RandomState(0)
yy, xx = np.mgrid[0:size, 0:size]
for i in range(n):
    cls = f"class_{i % 10}"
    os.makedirs(os.path.join(root, cls), exist_ok=True)
    base = (xx * rng.randint(1, 8) + yy * rng.randint(1, 8))[..., None] + rng.randint(0, 255, (1, 1, 3))
    img = np.clip(base + rng.randint(-20, 20, (size, size, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(img).save(os.path.join(root, cls, f"img_{i:05d}.jpg"), quality=90)
