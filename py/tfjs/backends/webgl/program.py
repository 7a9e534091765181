"""Shader programs of the webgl backend: the fragment-shader frame every pass is written into, and the
program cache, keyed by the shader source itself (two passes share a program exactly when their sources
are the same text).
"""

from __future__ import annotations

import time

HEADER = """#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
out vec4 o;
"""


def program_source(ntex: int, nparams: int, nfloats: int, body: str, helpers: str = "") -> str:
    """A fragment shader: ui[0] output width, ui[1] output size, ui[2 + k] width of input k, then params;
    uinv[k] is 1 / (width, height) of input k.

    Inputs are read with ``texture()`` at texel centres (nearest filtering: the exact texel) rather than
    ``texelFetch``: under SwiftShader a sampled read costs about two thirds of a fetch. Sampling inside
    branches and loops is exact too: textures have one mip level and nearest filtering, so the level of
    detail (undefined there) selects nothing. ``T{k}(ivec2)`` reads texel (x, y), ``X{k}(t)`` texel t of
    the flat layout, ``S{k}(i)`` element i, ``B{k}(t)`` texel t of a one-row texture."""
    lines = [HEADER, f"uniform int ui[{2 + ntex + max(nparams, 1)}];", f"uniform float uf[{max(nfloats, 1)}];"]
    if ntex:
        lines.append(f"uniform vec2 uinv[{ntex}];")
    for k in range(ntex):
        lines.append(f"uniform sampler2D t{k};")
        lines.append(f"vec4 T{k}(ivec2 c) {{ return texture(t{k}, (vec2(c) + 0.5) * uinv[{k}]); }}")
        lines.append(f"vec4 X{k}(int t) {{ int w = ui[{2 + k}]; return T{k}(ivec2(t % w, t / w)); }}")
        lines.append(f"float S{k}(int i) {{ return X{k}(i >> 2)[i & 3]; }}")
        lines.append(f"vec4 B{k}(int t) {{ return T{k}(ivec2(t, 0)); }}  // a one-row texture")
    lines.append(f"#define P(j) ui[{2 + ntex} + (j)]")
    lines.append("#define NOUT ui[1]")
    lines.append(helpers)
    lines.append("void main() {\n  int t = int(gl_FragCoord.y) * ui[0] + int(gl_FragCoord.x);\n  int i0 = t * 4;\n"
                 "  vec4 r = vec4(0.0);\n" + body + "\n  o = r;\n}")
    return "\n".join(lines)


class ProgramsMixin:
    """Compiled programs of :class:`~.backend.WebGLBackend`, by source."""

    def program(self, source: str, ntex: int, key=None) -> int:
        """The compiled program of a shader source (compiled on first use; the source is the cache key).
        ``key`` says what a pass computes (a producer's description, such as ("chslice",)); the keys a
        program ran under are kept beside it for reports (passes that differ only in parameters share one
        program), never used to find it."""
        entry = self.programs.get(source)
        if entry is None:
            t0 = time.perf_counter()
            pid = self._gl.compile(source, ntex)
            self.compile_ms += (time.perf_counter() - t0) * 1000
            entry = self.programs[source] = (pid, ntex, set())
        if key is not None:
            entry[2].add(key)
        return entry[0]

    def program_keys(self) -> list:
        """What the compiled programs computed: every ``key`` a pass ran under, in no particular order."""
        return [k for entry in self.programs.values() for k in entry[2]]
