"""Writes benches/fixtures/gemm.onnx: Y = A @ B for float32 A [N, K], B [K, M] given at run time (no weights, a few
hundred bytes), the peak-throughput probe of peak_gflops.py. Needs the `onnx` package (models/training/requirements.txt)."""
import os

import onnx
from onnx import TensorProto, helper

a = helper.make_tensor_value_info("A", TensorProto.FLOAT, ["N", "K"])
b = helper.make_tensor_value_info("B", TensorProto.FLOAT, ["K", "M"])
y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", "M"])
graph = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"])], "gemm", [a, b], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="armscan-benches")
model.ir_version = 8
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "gemm.onnx")
onnx.save(model, out)
print(out)
