"""Runs a parsed graph: only the nodes the requested outputs need, in dataflow order, freeing
intermediates as soon as their last consumer ran.

v1 control flow follows TensorFlow's frame semantics. Every value lives in a context: a tuple of
``(frame name, iteration)`` pairs, ``()`` outside any loop. ``Enter`` moves a value into iteration 0 of its
frame, ``NextIteration`` into the next iteration, ``Exit`` back to the parent context. A ``Switch`` sends its
data to one output and a dead marker to the other; dead inputs make a node dead, except ``Merge``, which
forwards its first live input (and is dead when every input it waits for is dead). A dead
``NextIteration`` ends its loop; a dead ``Exit`` is dropped unless its loop itself is dead.
v2 control flow (If, While, ...) runs function-library bodies through :meth:`Executor.run_function`.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from ..errors import TfjsError
from .fusion import fuse_residual_adds
from .graph_def import CONTROL_FLOW_V1, Graph, Node
from .registry import CustomOpNode, lookup
from .values import DEAD, GraphExecutionError, describe, normalize

_ENTER = {"Enter", "RefEnter"}
_EXIT = {"Exit", "RefExit"}
_NEXT = {"NextIteration", "RefNextIteration"}
_MERGE = {"Merge", "RefMerge"}


class Executor:
    """Executes one graph (the model's, or a function body) with shared weights and resources."""

    def __init__(self, graph: Graph, weights: dict[str, Any], resources: Any = None, parent: "Executor" = None):
        self.graph = graph
        self.weights = weights
        self.resources = resources
        self.parent = parent
        self._functions: dict[str, Executor] = {}
        self._consumers = graph.consumers()
        self._const_cache: dict[str, Any] = {}
        self._depth = frame_depths(graph)
        self.node: Node | None = None  # the node being run (for mappers' error messages)
        self._fused: tuple[Graph, set[str], dict] | None = None  # fusion.py's graph, its removed nodes, consumers
        self._plans: dict[tuple, tuple] = {}  # per (fetches, feeds, targets): what run() works out before running

    def constants(self) -> list:
        """The inline constants decoded so far (cached from run to run)."""
        return list(self._const_cache.values())

    def clear_constants(self) -> None:
        self._const_cache.clear()

    # ----------------------------------------------------------------------------------------------
    # Function bodies (v2 control flow)

    def run_function(self, name: str, args: list) -> list:
        fn = self.graph.functions.get(name)
        if fn is None:
            raise GraphExecutionError(f"Function '{name}' is not in the model's function library "
                                      f"(functions: {', '.join(sorted(self.graph.functions)) or 'none'})")
        if len(args) != len(fn.input_names):
            raise GraphExecutionError(f"Function '{name}' takes {len(fn.input_names)} inputs "
                                      f"({', '.join(fn.input_names)}), got {len(args)}")
        sub = self._functions.get(name)
        if sub is None:
            sub = self._functions[name] = Executor(fn.graph, self.weights, self.resources, self)
        feeds = {(arg_name, 0): value for arg_name, value in zip(fn.input_names, args)}
        return sub.run(feeds, fn.outputs)

    # ----------------------------------------------------------------------------------------------
    # Planning

    def needed_nodes(self, fetch_names, fed_names, nodes=None) -> set[str]:
        nodes = self.graph.nodes if nodes is None else nodes
        needed: set[str] = set()
        stack = list(fetch_names)
        while stack:
            name = stack.pop()
            if name in needed:
                continue
            if name not in nodes:
                raise GraphExecutionError(f"The graph has no node named '{name}'")
            needed.add(name)
            if name in fed_names:
                continue
            node = nodes[name]
            for src, _ in node.inputs:
                if src not in needed:
                    stack.append(src)
            for src in node.controls:
                if src not in needed:
                    stack.append(src)
        return needed

    def _const_value(self, node: Node) -> Any:
        if node.name in self.weights:
            return self.weights[node.name]
        cached = self._const_cache.get(node.name)
        if cached is not None:
            return cached
        value = node.attrs.get("value")
        if not isinstance(value, np.ndarray):
            raise GraphExecutionError(f"Const node '{node.name}' has no weight in the manifest and no inline "
                                      f"value")
        value = normalize(value)
        self._const_cache[node.name] = value
        return value

    # ----------------------------------------------------------------------------------------------
    # Running

    def run(self, feeds: dict[tuple[str, int], Any], fetches: list[tuple[str, int]],
            targets: list[str] | None = None) -> list:
        """Run the graph. ``feeds`` maps (node name, output index) to a value; returns the fetched values.
        ``targets`` are nodes to run for their effects only (table initializers)."""
        fed_names = frozenset(name for name, _ in feeds)
        key = (tuple(name for name, _ in fetches), fed_names, tuple(targets or ()))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(key[0], fed_names, key[2])
            if len(self._plans) < 64:
                self._plans[key] = plan
        nodes, consumers, counts, keep, consts, sources, schedule = plan
        if schedule is not None:
            return self._run_scheduled(nodes, schedule, consts, feeds, fetches)
        values: dict[tuple[str, tuple], Any] = {}
        for (name, idx), value in feeds.items():
            outs = values.setdefault((name, ()), [])
            while len(outs) <= idx:
                outs.append(None)
            outs[idx] = value
        remaining = dict(counts)
        done: set[tuple[str, tuple]] = set()
        queue: deque = deque((name, ()) for name in sources)
        for name in consts:
            values[(name, ())] = [self._const_value(nodes[name])]
        for key in list(values):
            self._notify(key[0], key[1], consumers, queue)

        while queue:
            name, ctx = queue.popleft()
            if (name, ctx) in done:
                continue
            node = nodes[name]
            if node.op in _MERGE:
                result = self._try_merge(node, ctx, values)
                if result is None:
                    continue
                ins = None
            else:
                ins = self._gather(node, ctx, values)
                if ins is None:
                    continue
            done.add((name, ctx))
            if ins is not None:
                result = self._execute(node, ins, ctx, values)
            if result is not None:
                out_ctx, outs = result
                values[(name, out_ctx)] = outs
                self._notify(name, out_ctx, consumers, queue)
            if ctx == ():
                self._release(node, remaining, keep, values)

        out = []
        for name, idx in fetches:
            outs = values.get((name, ()))
            if outs is None:
                raise GraphExecutionError(f"Output '{name}:{idx}' was never computed (its node did not run: an "
                                          f"input it needs never became available)")
            value = DEAD if outs is DEAD else (outs[idx] if idx < len(outs) else None)
            if value is None or value is DEAD:
                raise GraphExecutionError(f"Output '{name}:{idx}' is {'dead (on a control-flow branch not taken)' if value is DEAD else 'missing'}")
            out.append(value)
        return out

    def _plan(self, fetch_names, fed_names, targets) -> tuple:
        """(nodes, consumers among the needed nodes, their counts, values kept, Const nodes, nodes without
        inputs) for one kind of run. The graph with residual adds folded into convolutions (fusion.py), unless
        the run feeds or fetches a node that folding removed."""
        if self._fused is None:
            fused, removed = fuse_residual_adds(self.graph)
            self._fused = (fused, removed, fused.consumers() if removed else self._consumers)
        fused, removed, all_consumers = self._fused
        if removed & (set(fetch_names) | fed_names | set(targets)):
            fused, all_consumers = self.graph, self._consumers
        nodes = fused.nodes
        needed = self.needed_nodes(list(fetch_names) + list(targets), fed_names, nodes)
        consumers = {n: [c for c in all_consumers.get(n, ()) if c in needed] for n in needed}
        counts = {n: len(consumers[n]) for n in needed}
        keep = set(fetch_names) | fed_names
        consts, sources = [], []
        for name in needed:
            if name in fed_names:
                continue
            node = nodes[name]
            if node.op in ("Placeholder", "PlaceholderV2") and name not in self.weights:
                missing = [n for n in needed if nodes[n].op in ("Placeholder", "PlaceholderV2")
                           and n not in fed_names and n not in self.weights]
                raise GraphExecutionError(f"The graph needs a value for these inputs, which were not given: "
                                          f"{', '.join(sorted(missing))}")
            if node.op == "Const":
                consts.append(name)
                keep.add(name)
            elif not node.inputs and not node.controls:
                sources.append(name)
        keep = frozenset(keep)
        return nodes, consumers, counts, keep, consts, sources, _schedule(nodes, needed, fed_names, keep, consts)

    def _run_scheduled(self, nodes, schedule, consts, feeds, fetches) -> list:
        """A graph without v1 control flow: its nodes in a fixed order worked out once (no dead values, no
        frames), each value dropped after its last consumer."""
        values: dict[str, list] = {}
        for (name, idx), value in feeds.items():
            outs = values.setdefault(name, [])
            while len(outs) <= idx:
                outs.append(None)
            outs[idx] = value
        for name in consts:
            values[name] = [self._const_value(nodes[name])]
        call = self.call
        for node, inputs, frees in schedule:
            ins = []
            for src, idx in inputs:
                outs = values[src]
                value = outs[idx] if idx < len(outs) else None
                if value is None:
                    raise GraphExecutionError(f"{node.describe()}: its input '{src}:{idx}' does not exist (node "
                                              f"'{src}' has {len(outs)} outputs)")
                ins.append(value)
            values[node.name] = call(node, ins)
            for name in frees:
                del values[name]
        out = []
        for name, idx in fetches:
            outs = values[name]
            value = outs[idx] if idx < len(outs) else None
            if value is None:
                raise GraphExecutionError(f"Output '{name}:{idx}' is missing")
            out.append(value)
        return out

    def _notify(self, name, ctx, consumers, queue) -> None:
        for c in consumers.get(name, ()):
            queue.append((c, ctx))

    def _release(self, node: Node, remaining, keep, values) -> None:
        for src in {s for s, _ in node.inputs} | set(node.controls):
            count = remaining.get(src)
            if count is None:
                continue
            count -= 1
            remaining[src] = count
            if count <= 0 and src not in keep:
                values.pop((src, ()), None)

    def _lookup(self, values, name, ctx):
        """The outputs of node ``name`` as seen from context ``ctx``: a node of an enclosing frame is read in
        the enclosing iteration; a constant Enter of this frame in iteration 0."""
        depth = self._depth.get(name, 0)
        if depth < len(ctx):
            return values.get((name, ctx[:depth]))
        outs = values.get((name, ctx))
        if outs is None and ctx and ctx[-1][1] and self.graph.nodes[name].op in _ENTER:
            frame, _ = ctx[-1]
            return values.get((name, ctx[:-1] + ((frame, 0),)))
        return outs

    def _gather(self, node: Node, ctx, values):
        """The node's input values in ctx (None when one is not there yet); DEAD when one is dead."""
        ins = []
        dead = False
        for src, idx in node.inputs:
            outs = self._lookup(values, src, ctx)
            if outs is None:
                return None
            value = DEAD if outs is DEAD else (outs[idx] if idx < len(outs) else None)
            if value is DEAD:
                dead = True
            elif value is None:
                raise GraphExecutionError(f"{node.describe()}: its input '{src}:{idx}' does not exist (node "
                                          f"'{src}' has {len(outs)} outputs)")
            ins.append(value)
        for src in node.controls:
            outs = self._lookup(values, src, ctx)
            if outs is None:
                return None
            if outs is DEAD or (outs and all(o is DEAD for o in outs)):
                dead = True
        return DEAD if dead else ins

    def _try_merge(self, node: Node, ctx, values):
        arrived = []
        loop_merge = any(self.graph.nodes[s].op in _NEXT for s, _ in node.inputs if s in self.graph.nodes)
        for i, (src, idx) in enumerate(node.inputs):
            outs = values.get((src, ctx))
            if outs is None:
                continue
            value = outs[idx]
            if value is not DEAD:
                return ctx, [value, np.asarray(i, np.int32)]
            arrived.append(i)
        expected = 1 if loop_merge else len(node.inputs)
        if len(arrived) >= expected:
            return ctx, DEAD
        return None

    def _execute(self, node: Node, ins, ctx, values):
        op = node.op
        if op in _ENTER:
            frame = node.attrs.get("frame_name") or ""
            return ctx + ((frame, 0),), ([DEAD] if ins is DEAD else [ins[0]])
        if op in _NEXT:
            if ins is DEAD or not ctx:
                return None
            frame, it = ctx[-1]
            return ctx[:-1] + ((frame, it + 1),), [ins[0]]
        if op in _EXIT:
            if not ctx:
                raise GraphExecutionError(f"{node.describe()} runs outside of any loop frame")
            if ins is DEAD:
                if self._loop_alive(node, ctx, values):
                    return None
                return ctx[:-1], DEAD
            return ctx[:-1], [ins[0]]
        if ins is DEAD:
            return ctx, DEAD
        return ctx, self.call(node, ins)

    def _loop_alive(self, node: Node, ctx, values) -> bool:
        """For a dead Exit: is its loop's predicate live in this iteration (then the loop goes on)?"""
        src = self.graph.nodes.get(node.inputs[0][0]) if node.inputs else None
        if src is None or src.op not in ("Switch", "RefSwitch") or len(src.inputs) < 2:
            return True
        pred_src, pred_idx = src.inputs[1]
        outs = self._lookup(values, pred_src, ctx)
        return outs is not None and outs is not DEAD and outs[pred_idx] is not DEAD

    def call(self, node: Node, ins: list) -> list:
        """Run one node's mapper on its input values; errors name the node, its op and its inputs."""
        mapper, custom = lookup(node.op)
        if mapper is None:
            raise GraphExecutionError(f"{node.describe()}: no kernel for op '{node.op}'")
        self.node = node
        try:
            if custom:
                out = mapper(CustomOpNode(node.name, node.op, list(ins), dict(node.attrs)))
            else:
                out = mapper(node, ins, self)
        except GraphExecutionError:
            raise
        except (TfjsError, ValueError, IndexError, TypeError, KeyError, ZeroDivisionError, AssertionError,
                NotImplementedError, OverflowError) as e:
            raise GraphExecutionError(f"{node.describe()} failed on inputs "
                                      f"[{', '.join(describe(v) for v in ins)}]: {e}") from e
        if isinstance(out, (list, tuple)):
            return [normalize(v) for v in out]
        return [normalize(out)]


def _schedule(nodes, needed, fed_names, keep, consts) -> list | None:
    """[(node, its inputs, values to drop after it)] in dataflow order, for graphs without v1 control flow
    (then every needed node runs exactly once, in an order fixed by the graph); None otherwise."""
    if any(nodes[n].op in CONTROL_FLOW_V1 for n in needed):
        return None
    ready_values = set(fed_names) | set(consts)
    pending: dict[str, int] = {}
    users: dict[str, list[str]] = {}
    for name in nodes:  # the graph's order, so that the schedule does not depend on set iteration
        if name not in needed or name in ready_values:
            continue
        node = nodes[name]
        deps = ({s for s, _ in node.inputs} | set(node.controls)) - ready_values
        pending[name] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(name)
    queue = deque(n for n, count in pending.items() if count == 0)
    order = []
    while queue:
        name = queue.popleft()
        order.append(name)
        for user in users.get(name, ()):
            pending[user] -= 1
            if pending[user] == 0:
                queue.append(user)
    if len(order) != len(pending):  # a cycle: leave it to the general loop and its errors
        return None
    last: dict[str, int] = {}
    for i, name in enumerate(order):
        for src in {s for s, _ in nodes[name].inputs} | set(nodes[name].controls):
            last[src] = i
    frees: list[list[str]] = [[] for _ in order]
    for src, i in last.items():
        if src not in keep:
            frees[i].append(src)
    return [(nodes[name], tuple(nodes[name].inputs), tuple(frees[i])) for i, name in enumerate(order)]


def frame_depths(graph: Graph) -> dict[str, int]:
    """How many loop frames each node's outputs live in (static): Enter adds one, Exit removes one, other
    nodes live where their deepest input lives (Merge: where its Enter input lives)."""
    nodes = graph.nodes
    depth: dict[str, int] = {}
    changed = True
    passes = 0
    while changed and passes < len(nodes) + 2:
        changed = False
        passes += 1
        for node in nodes.values():
            srcs = [s for s, _ in node.inputs] + node.controls
            if node.op in _MERGE:
                srcs = [s for s, _ in node.inputs if s in nodes and nodes[s].op not in _NEXT] or srcs
            known = [depth[s] for s in srcs if s in depth]
            if srcs and not known:
                continue
            d = max(known) if known else 0
            if node.op in _ENTER:
                d += 1
            elif node.op in _EXIT:
                d = max(d - 1, 0)
            if depth.get(node.name) != d:
                depth[node.name] = d
                changed = True
    return depth
