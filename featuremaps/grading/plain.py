"""Plain data across the trust boundary: what the student's process may send, and nothing else.

A value crosses as JSON: None, booleans, numbers, strings, lists, tuples and dicts of
these, and NumPy arrays of numbers (base64). Their subclasses cross as students write them:
a namedtuple as a namedtuple with the same fields (a class the trusted side makes itself), a
``defaultdict`` or ``OrderedDict`` as a dict, a NumPy string as a string. A message is bounded
before it is decoded (bytes, values, nesting); past a bound it is not plain data. A Keras layer or model crosses as its
configuration and weights, and is rebuilt from them on the trusted side by Keras itself,
in safe mode, from Keras's own classes only. A function crosses as a handle the trusted
side can call; any other object crosses as a handle the trusted side cannot look into.
Nothing the student defines (a class, an ``__eq__``, a frame) ever runs on the trusted side.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import socket
import struct
import sys
import time

MESSAGE_BYTES_LIMIT = 256 * 2**20  # bytes in one message: a few hundred test images with room to spare
VALUE_LIMIT = 2_000_000  # JSON values in one message, counted before decoding (an array is one value)
MAX_DEPTH = 32
NUMERIC_KINDS = "biuf"       # bool, signed and unsigned integers, floats
KERAS_SIZE_KEYS = {"filters": 65_536, "units": 65_536, "kernel_size": 256, "pool_size": 256}
KERAS_REFUSED = {"Lambda", "TFSMLayer"}
# An input shape sizes every layer behind it: one image of 4096 x 4096 x 1,000 is refused before Keras builds it.
KERAS_SHAPE_KEYS = {"batch_shape", "batch_input_shape", "input_shape", "shape", "target_shape"}
KERAS_SHAPE_LIMIT = 2**22  # numbers in one input (a 28 x 28 image has 784)
_REBUILT: dict = {}  # trusted side: {digest of what was sent: the Keras object rebuilt from it}


class ProtocolError(RuntimeError):
    """The student's process sent something that is not plain data (or no answer at all)."""


# ---- framing -------------------------------------------------------------------------------

def send(sock: socket.socket, message) -> None:
    data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    sock.sendall(struct.pack(">Q", len(data)) + data)


def recv(sock: socket.socket, deadline: float | None = None, limit: int = MESSAGE_BYTES_LIMIT):
    """One message, or ProtocolError; TimeoutError once ``deadline`` (time.monotonic) passes."""
    header = _read(sock, 8, deadline)
    (size,) = struct.unpack(">Q", header)
    if size > limit:
        raise ProtocolError(f"a message of {size} bytes, more than the limit of {limit}")
    return loads(_read(sock, size, deadline))


def loads(raw: bytes):
    """One message's JSON, bounded: too many values or too deep is a ProtocolError, never a crash."""
    # Every value but the last is followed by a comma, and nesting needs brackets: both are counted
    # before decoding (commas inside strings only make the count larger, never smaller).
    if raw.count(b",") + raw.count(b"[") + raw.count(b"{") > VALUE_LIMIT:
        raise ProtocolError(f"a message of more than {VALUE_LIMIT:,} values")
    try:
        return json.loads(raw)
    except (RecursionError, MemoryError) as exc:
        raise ProtocolError(f"a message too deep or too large to read ({type(exc).__name__})") from None
    except ValueError as exc:
        raise ProtocolError(f"a message that is not JSON ({exc})") from None


def _read(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer in time")
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(size - got, 1 << 20))
        except TimeoutError:
            raise TimeoutError("no answer in time") from None
        if not chunk:
            raise EOFError("the student's process ended")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ---- arrays --------------------------------------------------------------------------------

def _array_to_data(array, tag: str = "array") -> dict:
    import numpy as np

    array = np.asarray(array)
    if not array.flags.c_contiguous:  # (np.ascontiguousarray would turn a 0-d array into 1-d)
        array = array.copy(order="C")
    if array.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"an array of {array.dtype} (only numbers cross)")
    return {"$": tag, "dtype": array.dtype.str, "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode()}


def _data_to_array(data: dict):
    import numpy as np

    try:
        dtype = np.dtype(data["dtype"])
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["data"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"a malformed array ({exc})") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or any(n < 0 for n in shape):
        raise ProtocolError(f"an array of {dtype} (only numbers cross)")
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise ProtocolError("an array whose bytes do not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if shape == () else array  # a 0-d array comes back as the NumPy scalar it was


# ---- the student's side: any value out, plain data or handles ---------------------------------

def encode(value, handles: dict, depth: int = 0):
    """``value`` as JSON-able plain data; objects that are not data become handles in ``handles``."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise TypeError("nested more than 32 levels deep")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value if abs(value) < 2**63 else {"$": "bigint", "digits": str(value)}
    if type(value) is float:
        return value
    if value is Ellipsis:
        return {"$": "ellipsis"}
    if isinstance(value, (list, tuple)):  # the base class's own iteration: a subclass's cannot lie
        items = [encode(v, handles, depth + 1) for v in (list.__iter__ if isinstance(value, list)
                                                         else tuple.__iter__)(value)]
        if isinstance(value, list):
            return items
        fields = getattr(type(value), "_fields", None)  # a namedtuple keeps its field names
        if isinstance(fields, tuple) and len(fields) == len(items) and all(type(f) is str for f in fields):
            return {"$": "namedtuple", "type": type(value).__name__[:100], "fields": list(fields), "items": items}
        return {"$": "tuple", "items": items}
    if isinstance(value, dict):  # defaultdict, OrderedDict, Counter: a dict of the same items
        return {"$": "dict", "items": [[encode(k, handles, depth + 1), encode(v, handles, depth + 1)]
                                       for k, v in dict.items(value)]}
    if isinstance(value, np.str_):  # a NumPy string (np.array(["a"])[0]): its characters
        return str.__str__(value)
    if isinstance(value, (np.ndarray, np.generic)):
        if np.asarray(value).dtype.kind in NUMERIC_KINDS:
            return _array_to_data(value)
    module = type(value).__module__ or ""
    if module.startswith(("tensorflow", "keras")) and hasattr(value, "numpy") and hasattr(value, "dtype"):
        try:
            return _array_to_data(np.asarray(value), tag="tensor")
        except (TypeError, ValueError):
            pass
    keras_object = _keras_data(value)
    if keras_object is not None:
        keras_object["handle"] = _handle(value, handles)
        return keras_object
    if callable(value) and not isinstance(value, type):
        return {"$": "function", "name": str(getattr(value, "__qualname__", "function"))[:100],
                "module": str(getattr(value, "__module__", None) or "__main__")[:100],
                "handle": _handle(value, handles)}
    return {"$": "opaque", "type": type(value).__name__[:100], "handle": _handle(value, handles)}


def _handle(value, handles: dict) -> int:
    handles[id(value)] = value
    return id(value)


def _keras_data(value):
    keras = sys.modules.get("keras")  # a Keras object means Keras is loaded; never load it just to look
    if keras is None:
        return None
    if not isinstance(value, keras.layers.Layer):
        return None
    try:
        config = keras.saving.serialize_keras_object(value)
        weights = [_array_to_data(w) for w in value.get_weights()]
        json.dumps(config)
    except Exception:
        return None
    return {"$": "keras", "config": config, "weights": weights}


def decode_args(data, handles: dict):
    """Arguments from the trusted side, on the student's side: handles become the objects again."""
    if isinstance(data, list):
        return [decode_args(v, handles) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data.get("$")
    if tag == "handle":
        return handles[data["id"]]
    if tag == "keras":
        return _rebuild_keras(data, safe_mode=False)
    return _decode_tagged(data, lambda v: decode_args(v, handles))


# ---- the trusted side: plain data in, checked ----------------------------------------------

class NotPlainData:
    """What the trusted side holds for an object of the notebook's that is not data: nothing to look into."""

    def __init__(self, type_name: str, handle: int, generation: int = 0):
        self._type_name, self._handle, self._generation = type_name, handle, generation

    def __repr__(self) -> str:
        return f"<a {self._type_name} object of the notebook's, which the grader does not read>"

    def __eq__(self, other) -> bool:
        return other is self

    __hash__ = object.__hash__

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AssertionError(f"the notebook gave a {self._type_name} object where plain data (numbers, "
                             "strings, NumPy arrays, lists, dicts, a Keras layer or model) was expected")


def decode(data, call=None, generation: int = 0, depth: int = 0):
    """Trusted-side decoding of what the student's process sent; ProtocolError for anything else.

    ``call(handle, name, module)`` makes the stand-in for one of the notebook's functions;
    ``generation`` numbers the student's process, whose handles die with it.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError("data nested more than 32 levels deep")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, call, generation, depth + 1) for v in data]
    if type(data) is not dict:
        raise ProtocolError(f"a {type(data).__name__} in a message")
    tag = data.get("$")
    if tag == "function":
        if call is None:
            raise ProtocolError("a function where only data may come")
        return call(_int(data.get("handle")), str(data.get("name", ""))[:100], str(data.get("module", ""))[:100])
    if tag == "opaque":
        return NotPlainData(str(data.get("type", "unknown"))[:100], _int(data.get("handle")), generation)
    if tag == "keras":
        check_keras_config(data.get("config"))
        content = dict(data, handle=None)
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        rebuilt = _REBUILT.get(digest)
        if rebuilt is None:  # rebuilding a model takes a while; the same bytes give the same model
            try:
                rebuilt = _REBUILT[digest] = _rebuild_keras(data, safe_mode=True)
            except ProtocolError:
                raise
            except Exception as exc:
                raise ProtocolError(f"a Keras object that Keras cannot rebuild ({type(exc).__name__}: "
                                    f"{str(exc)[:200]})") from None
        rebuilt._course_handle = (generation, _int(data.get("handle")))  # passed back as the notebook's own
        return rebuilt
    return _decode_tagged(data, lambda v: decode(v, call, generation, depth + 1))


def forget_rebuilt() -> None:
    """Drop the Keras objects rebuilt so far (between submissions)."""
    _REBUILT.clear()


def _int(value) -> int:
    if type(value) is not int:
        raise ProtocolError("a malformed handle")
    return value


def _decode_tagged(data: dict, inner):
    tag = data.get("$")
    if tag == "tuple":
        return tuple(inner(v) for v in _list(data.get("items")))
    if tag == "namedtuple":
        return _namedtuple(data, inner)
    if tag == "dict":
        out = {}
        for pair in _list(data.get("items")):
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("a malformed dict")
            key = inner(pair[0])
            try:
                out[key] = inner(pair[1])
            except TypeError:
                raise ProtocolError("a dict key that cannot be a key") from None
        return out
    if tag == "array":
        return _data_to_array(data)
    if tag == "tensor":
        import keras

        return keras.ops.convert_to_tensor(_data_to_array(data))
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bigint":
        digits = str(data.get("digits", ""))
        if not digits.lstrip("-").isdigit() or len(digits) > 4300:
            raise ProtocolError("a malformed integer")
        return int(digits)
    raise ProtocolError(f"data tagged {str(tag)[:40]!r}")


def _namedtuple(data: dict, inner):
    """A namedtuple of the trusted side's own making, with the notebook's type name and field names."""
    import collections
    import keyword

    fields, items = _list(data.get("fields")), _list(data.get("items"))
    name = str(data.get("type", ""))
    if not name.isidentifier() or keyword.iskeyword(name):
        name = "namedtuple"
    if len(fields) != len(items) or len(fields) > 256 or not all(
            type(f) is str and f.isidentifier() and not keyword.iskeyword(f) and not f.startswith("_")
            for f in fields) or len(set(fields)) != len(fields):
        return tuple(inner(v) for v in items)  # fields a namedtuple cannot have: the values, as a tuple
    return collections.namedtuple(name, fields)(*(inner(v) for v in items))


def _list(value) -> list:
    if type(value) is not list:
        raise ProtocolError("a malformed list")
    return value


def check_keras_config(config, depth: int = 0) -> None:
    """Refuse a Keras configuration that names anything but Keras's own classes, or is huge."""
    if depth > 64:
        raise ProtocolError("a Keras configuration nested too deep")
    if isinstance(config, list):
        for item in config:
            check_keras_config(item, depth + 1)
        return
    if not isinstance(config, dict):
        return
    if "class_name" in config:
        module, name = config.get("module"), config.get("class_name")
        if module is not None and not (module == "keras" or str(module).startswith("keras.")):
            raise ProtocolError(f"a Keras object of class {str(name)[:60]} from module {str(module)[:60]}: only "
                                "Keras's own layers are rebuilt by the grader")
        if name in KERAS_REFUSED or config.get("registered_name") not in (None, name):
            raise ProtocolError(f"a Keras {str(name)[:60]} layer, which the grader does not rebuild")
    for key, value in config.items():
        if key in KERAS_SHAPE_KEYS and isinstance(value, (list, tuple)):
            dims = [n for n in value if n is not None]
            if not all(isinstance(n, int) and 0 <= n <= KERAS_SHAPE_LIMIT for n in dims) or \
                    math.prod(dims) > KERAS_SHAPE_LIMIT:
                raise ProtocolError(f"a Keras input with {key}={str(value)[:60]}, larger than the grader rebuilds "
                                    f"(at most {KERAS_SHAPE_LIMIT:,} numbers)")
        if key in KERAS_SIZE_KEYS:
            sizes = list(value) if isinstance(value, (list, tuple)) else [value]
            if any(not isinstance(n, int) or n > KERAS_SIZE_KEYS[key] for n in sizes):
                raise ProtocolError(f"a Keras layer with {key}={str(value)[:40]}, larger than the grader rebuilds")
        check_keras_config(value, depth + 1)


def _rebuild_keras(data: dict, safe_mode: bool):
    import keras

    obj = keras.saving.deserialize_keras_object(data["config"], safe_mode=safe_mode)
    weights = [_data_to_array(w) for w in _list(data.get("weights", []))]
    if weights:
        obj.set_weights(weights)
    return obj


# ---- the trusted side: its own values out -----------------------------------------------------

def encode_arg(value, generation: int = 0, depth: int = 0):
    """A trusted value as an argument for the notebook's function (in its process ``generation``)."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise TypeError("nested too deep")
    if isinstance(value, NotPlainData):
        if value._generation != generation:
            raise TypeError(f"the notebook's {value._type_name} object is gone (its process was restarted)")
        return {"$": "handle", "id": value._handle}
    handle = getattr(value, "_course_handle", None)
    if isinstance(handle, tuple) and handle[0] == generation:
        return {"$": "handle", "id": handle[1]}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if value is Ellipsis:
        return {"$": "ellipsis"}
    if isinstance(value, (list, tuple)):
        items = [encode_arg(v, generation, depth + 1) for v in value]
        return items if isinstance(value, list) else {"$": "tuple", "items": items}
    if isinstance(value, dict):
        return {"$": "dict", "items": [[encode_arg(k, generation, depth + 1), encode_arg(v, generation, depth + 1)]
                                       for k, v in value.items()]}
    if isinstance(value, (np.ndarray, np.generic)):
        return _array_to_data(value)
    data = _keras_data(value)
    if data is not None:
        return data
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        return _array_to_data(np.asarray(value), tag="tensor")
    raise TypeError(f"the grader cannot pass a {type(value).__name__} to the notebook")
