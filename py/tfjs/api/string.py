"""tf.string: stringNGrams, stringSplit, stringToHashBucketFast, staticRegexReplace. Strings are object arrays
of bytes (a str is encoded as UTF-8)."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import InvalidArgumentError
from .convert import convert, dtype_of
from .host_ops import run_mapper


def _strings(x, name, op):
    t = convert(x, name, op)
    if dtype_of(t) != "string":
        raise InvalidArgumentError(f"Argument '{name}' passed to '{op}' must be string tensor, but got "
                                   f"{dtype_of(t)} tensor")
    return t


class NGrams(NamedTuple):
    n_grams: object
    n_grams_splits: object


def string_n_grams(data, data_splits, separator, n_gram_widths, left_pad, right_pad, pad_width,
                   preserve_short_sequences):
    """tf.string.stringNGrams(data, dataSplits, separator, nGramWidths, leftPad, rightPad, padWidth,
    preserveShortSequences): (n_grams, n_grams_splits) of each row of a ragged string vector."""
    ins = [_strings(data, "data", "stringNGrams"), convert(data_splits, "dataSplits", "stringNGrams", "int32")]
    out = run_mapper("StringNGrams", ins, separator=separator, ngram_widths=list(n_gram_widths), left_pad=left_pad,
                     right_pad=right_pad, pad_width=pad_width, preserve_short_sequences=preserve_short_sequences)
    return NGrams(*out)


class Split(NamedTuple):
    indices: object
    values: object
    shape: object


def string_split(input, delimiter, skip_empty=True):  # noqa: A002
    """tf.string.stringSplit(input, delimiter, skipEmpty=true): the sparse (indices, values, shape) of the
    tokens of each string, split at any byte of the delimiter."""
    ins = [_strings(input, "input", "stringSplit"), _strings(delimiter, "delimiter", "stringSplit")]
    return Split(*run_mapper("StringSplit", ins, skip_empty=skip_empty))


def string_to_hash_bucket_fast(input, num_buckets):  # noqa: A002
    """tf.string.stringToHashBucketFast(input, numBuckets): int32 fingerprint64(s) % numBuckets."""
    return run_mapper("StringToHashBucketFast", [_strings(input, "input", "stringToHashBucketFast")],
                      num_buckets=num_buckets)


def static_regex_replace(input, pattern, rewrite, replace_global=True):  # noqa: A002
    """tf.string.staticRegexReplace(input, pattern, rewrite, replaceGlobal=true)."""
    return run_mapper("StaticRegexReplace", [_strings(input, "input", "staticRegexReplace")], pattern=pattern,
                      rewrite=rewrite, replace_global=replace_global)
