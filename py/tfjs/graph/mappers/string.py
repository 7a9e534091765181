"""string: StaticRegexReplace, StringNGrams, StringSplit, StringToHashBucketFast with TF.js's semantics.

As TF.js's op mapper reads them, the string attrs ``pattern``, ``rewrite``, ``separator``, ``left_pad`` and
``right_pad`` are lower-cased before the kernel sees them; the same happens here, so that a model computes what
it computes in TF.js. StaticRegexReplace runs the pattern as a JavaScript RegExp does on the UTF-8 text
(``$1`` / ``$&`` / ``$$`` in the rewrite).
"""

from __future__ import annotations

import re

import numpy as np

from ..registry import op
from .farmhash import fingerprint64


def _bytes(v) -> bytes:
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def _strings(x) -> np.ndarray:
    arr = np.asarray(x, dtype=object)
    out = np.empty(arr.shape, object)
    out.reshape(-1)[:] = [_bytes(v) for v in arr.reshape(-1)]
    return out


_JS_REWRITE = re.compile(r"\$(\$|&|\d{1,2})")


def _python_rewrite(rewrite: str) -> str:
    def sub(m):
        token = m.group(1)
        if token == "$":
            return "$"
        if token == "&":
            return r"\g<0>"
        return rf"\g<{int(token)}>"
    return _JS_REWRITE.sub(sub, rewrite.replace("\\", "\\\\"))


@op("StaticRegexReplace")
def static_regex_replace(node, ins, ex):
    pattern = node.str_attr("pattern", "")
    rewrite = _python_rewrite(node.str_attr("rewrite", ""))
    count = 0 if node.attr("replace_global", True) else 1
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"StaticRegexReplace: invalid pattern {pattern!r}: {exc}") from None
    data = _strings(ins[0])
    out = np.empty(data.shape, object)
    out.reshape(-1)[:] = [regex.sub(rewrite, v.decode("utf-8", "replace"), count=count).encode("utf-8")
                          for v in data.reshape(-1)]
    return out


def _pad_width(pad_width: int, width: int) -> int:
    return min(width - 1 if pad_width < 0 else pad_width, width - 1)


def _num_ngrams(length: int, width: int, pad_width: int) -> int:
    return max(0, length + 2 * _pad_width(pad_width, width) - width + 1)


def _ngrams(tokens: list[bytes], count: int, width: int, pad_width: int, sep: bytes, left: bytes, right: bytes):
    pad = _pad_width(pad_width, width)
    out = []
    for k in range(count):
        lpad = max(0, pad - k)
        rpad = max(0, pad - (count - (k + 1)))
        n = width - lpad - rpad
        start = 0 if lpad > 0 else k - pad
        out.append(sep.join([left] * lpad + tokens[start:start + n] + [right] * rpad))
    return out


@op("StringNGrams")
def string_ngrams(node, ins, ex):
    data = [_bytes(v) for v in np.asarray(ins[0], object).reshape(-1)]
    splits = np.asarray(ins[1]).astype(np.int64).reshape(-1)
    sep = node.str_attr("separator", " ").encode("utf-8")
    left, right = node.str_attr("left_pad", "").encode("utf-8"), node.str_attr("right_pad", "").encode("utf-8")
    widths = [int(w) for w in (node.attr("ngram_widths") or [])]
    pad_width = int(node.attr("pad_width", 0))
    preserve = bool(node.attr("preserve_short_sequences", False))
    if splits.size:
        if splits[0] != 0 or np.any(np.diff(splits) < 0) or splits[-1] != len(data):
            raise ValueError(f"StringNGrams: invalid data_splits {splits.tolist()[:10]} for {len(data)} values: they "
                             f"must start at 0, not decrease and end at the number of values")
    out_splits = [0]
    out: list[bytes] = []
    for r in range(max(splits.size - 1, 0)):
        row = data[splits[r]:splits[r + 1]]
        produced = []
        for width in widths:
            produced += _ngrams(row, _num_ngrams(len(row), width, pad_width), width, pad_width, sep, left, right)
        if preserve and not produced and row:
            width = len(row) + 2 * pad_width
            produced = _ngrams(row, 1, width, pad_width, sep, left, right)
        out += produced
        out_splits.append(len(out))
    if not data or not splits.size:
        out_splits = [0] * splits.size
    arr = np.empty(len(out), object)
    arr[:] = out
    return [arr, np.asarray(out_splits, np.int32)]


def _split_one(s: bytes, delims: bytes, skip_empty: bool) -> list[bytes]:
    if not s:
        return []
    if not delims:
        return [s[i:i + 1] for i in range(len(s))]
    tokens, start = [], 0
    for i in range(len(s) + 1):
        if i == len(s) or s[i] in delims:
            token = s[start:i]
            if not skip_empty or token:
                tokens.append(token)
            start = i + 1
    return tokens


@op("StringSplit")
def string_split(node, ins, ex):
    data = [_bytes(v) for v in np.asarray(ins[0], object).reshape(-1)]
    delims = _bytes(np.asarray(ins[1], object).reshape(-1)[0]) if np.size(ins[1]) else b""
    skip_empty = bool(node.attr("skip_empty", True))
    rows = [_split_one(s, delims, skip_empty) for s in data]
    indices = [[i, j] for i, toks in enumerate(rows) for j in range(len(toks))]
    values = np.empty(len(indices), object)
    values[:] = [t for toks in rows for t in toks]
    width = max((len(t) for t in rows), default=0)
    return [np.asarray(indices, np.int32).reshape(-1, 2), values, np.asarray([len(data), width], np.int32)]


@op("StringToHashBucketFast")
def string_to_hash_bucket_fast(node, ins, ex):
    buckets = int(node.attr("num_buckets", 0))
    if buckets < 1:
        raise ValueError(f"StringToHashBucketFast: num_buckets must be >= 1, got {buckets}")
    data = np.asarray(ins[0], object)
    flat = [fingerprint64(_bytes(v)) % buckets for v in data.reshape(-1)]
    return np.asarray(flat, np.int64).astype(np.int32).reshape(data.shape)
