"""Validate ONNX files with the reference checker of the onnx package (Debian python3-onnx).

For each file: onnx.checker.check_model(full_check=True) (the spec's structural rules plus
strict shape inference), then print the inferred shape of every graph output as JSON.
"""
import json
import sys

import onnx

result = {}
for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    outputs = {}
    for value in inferred.graph.output:
        dims = value.type.tensor_type.shape.dim
        outputs[value.name] = [d.dim_param if d.HasField("dim_param") else d.dim_value for d in dims]
    result[path] = outputs
print(json.dumps(result))
