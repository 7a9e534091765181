"""hash_table: HashTable(V2) LookupTableImport(V2) LookupTableFind(V2) LookupTableSize(V2)
InitializeTable(V2). Tables are resources shared by the model's initializer graph and its main graph."""

from __future__ import annotations

import numpy as np

from ..registry import op
from ..resources import HashTable


@op("HashTable", "HashTableV2")
def hash_table(node, ins, ex):
    return ex.resources.hash_table(node.name, node.attr("key_dtype"), node.attr("value_dtype"))


@op("LookupTableImport", "LookupTableImportV2", "InitializeTable", "InitializeTableV2")
def import_(node, ins, ex):
    table, keys, values = ins
    _table(node, table).import_(keys, values)
    return [table] if node.op.startswith("LookupTableImport") else []


@op("LookupTableFind", "LookupTableFindV2")
def find(node, ins, ex):
    table, keys, default = ins
    return _table(node, table).find(keys, default)


@op("LookupTableSize", "LookupTableSizeV2")
def size(node, ins, ex):
    return np.asarray(_table(node, ins[0]).size(), np.int32)


def _table(node, value) -> HashTable:
    if not isinstance(value, HashTable):
        raise ValueError(f"expected a hash table handle as input 0, got {type(value).__name__}")
    return value
