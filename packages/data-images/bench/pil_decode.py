# PIL reference for bench/decode-folder.ts: decode (and optionally resize) every image of a
# folder the way keras_preprocessing's load_img does, and time it.
# Usage: python3 pil_decode.py <folder> <height> <width> <resample: none|bilinear> <dump-count> <dump-path>
import json, os, sys, time
import numpy as np
from PIL import Image

root, h, w, resample, dump_n, dump_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
files = []
for cls in sorted(os.listdir(root)):
    for f in sorted(os.listdir(os.path.join(root, cls))):
        files.append(os.path.join(root, cls, f))
dump = []
t = time.time()
for i, f in enumerate(files):
    img = Image.open(f).convert("RGB")
    if resample != "none" and img.size != (w, h):
        img = img.resize((w, h), Image.BILINEAR)
    a = np.asarray(img)
    if i < dump_n:
        dump.append(a.tobytes())
elapsed = time.time() - t
if dump_path:
    with open(dump_path, "wb") as fh:
        fh.write(b"".join(dump))
print(json.dumps({"images": len(files), "seconds": elapsed}))
