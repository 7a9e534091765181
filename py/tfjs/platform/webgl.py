"""WebGL2 through the JS FFI: one small JS object owns the context, programs, textures and the framebuffer.

Python refers to programs and textures by integer ids; every GPU step is one FFI call (compile, create,
upload, run, read), so the per-op cost of crossing into JS stays constant. Textures are RGBA32F; the
caller decides what the texels mean. Under CPython :func:`create_context` raises BrowserOnlyError.
"""

from __future__ import annotations

import numpy as np

from . import IN_PYODIDE, ffi, js, require_browser

# The JS side. It keeps the GL objects in arrays indexed by id and checks for context loss on every read.
_GLUE_JS = r"""
(() => {
  // dims[id]: 1 / (width, height) of texture id, the uinv uniform a shader reads it with (see program_source)
  const G = {programs: [], textures: [null], sizes: [0], dims: [null], bytes: 0, freeIds: [], lost: false,
             lostCount: 0, listeners: 0, queries: [], profiling: false};
  G.init = (useOffscreen) => {
    let canvas = null;
    if (useOffscreen && typeof OffscreenCanvas !== "undefined") canvas = new OffscreenCanvas(1, 1);
    else canvas = document.createElement("canvas");
    const attrs = {alpha: false, antialias: false, depth: false, stencil: false, premultipliedAlpha: false,
                   preserveDrawingBuffer: false, powerPreference: "high-performance", desynchronized: false};
    const gl = canvas.getContext("webgl2", attrs);
    if (!gl) return {ok: false, reason: "this browser gives no WebGL2 context"};
    const cbf = gl.getExtension("EXT_color_buffer_float");
    G.canvas = canvas; G.gl = gl;
    G.onLost = (e) => { e.preventDefault(); G.lost = true; G.lostCount += 1; };
    canvas.addEventListener("webglcontextlost", G.onLost, false);
    G.listeners = 1;
    G.loseExt = gl.getExtension("WEBGL_lose_context");
    if (!cbf || G.forceNoFloat) return {ok: false, reason: "EXT_color_buffer_float is missing: float32 " +
        "render targets are not available"};
    G.timer = gl.getExtension("EXT_disjoint_timer_query_webgl2");
    G.fb = gl.createFramebuffer();
    {  // a float32 render target must be complete, or every result would be wrong
      const t = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, t);
      gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, 1, 1);
      gl.bindFramebuffer(gl.FRAMEBUFFER, G.fb);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, t, 0);
      const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
      gl.deleteTexture(t);
      if (status !== gl.FRAMEBUFFER_COMPLETE) return {ok: false, reason: "float32 render targets are " +
          "incomplete (framebuffer status " + status + ")"};
    }
    G.vao = gl.createVertexArray();
    const vs = gl.createShader(gl.VERTEX_SHADER);
    gl.shaderSource(vs, "#version 300 es\nvoid main(){vec2 p=vec2(float((gl_VertexID<<1)&2),float(gl_VertexID&2));" +
        "gl_Position=vec4(p*2.0-1.0,0.0,1.0);}");
    gl.compileShader(vs);
    G.vs = vs;
    gl.disable(gl.DEPTH_TEST); gl.disable(gl.BLEND); gl.disable(gl.DITHER);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1); gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    return {ok: true, maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE),
            maxTextureUnits: gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS),
            renderer: dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
            timerQuery: !!G.timer};
  };
  G.isLost = () => G.lost || (G.gl ? G.gl.isContextLost() : true);
  G.compile = (src, nTex) => {
    const gl = G.gl;
    const fs = gl.createShader(gl.FRAGMENT_SHADER);
    gl.shaderSource(fs, src); gl.compileShader(fs);
    const p = gl.createProgram();
    gl.attachShader(p, G.vs); gl.attachShader(p, fs); gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) {
      const log = (gl.getShaderInfoLog(fs) || "") + (gl.getProgramInfoLog(p) || "");
      gl.deleteProgram(p); gl.deleteShader(fs);
      if (G.isLost()) throw new Error("WebGL context lost");
      throw new Error("shader failed to compile: " + log);
    }
    gl.deleteShader(fs);
    gl.useProgram(p);
    for (let i = 0; i < nTex; i++) { const l = gl.getUniformLocation(p, "t" + i); if (l) gl.uniform1i(l, i); }
    G.programs.push({p, ui: gl.getUniformLocation(p, "ui"), uf: gl.getUniformLocation(p, "uf"),
                     inv: gl.getUniformLocation(p, "uinv"), invData: new Float32Array(2 * nTex)});
    return G.programs.length - 1;
  };
  G.deleteProgram = (id) => { const e = G.programs[id]; if (e) { G.gl.deleteProgram(e.p); G.programs[id] = null; } };
  G.createTexture = (w, h) => {
    const gl = G.gl;
    const t = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, w, h);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const id = G.freeIds.length ? G.freeIds.pop() : G.textures.length;
    G.textures[id] = t;
    G.sizes[id] = w * h * 16;
    G.dims[id] = [1 / w, 1 / h];
    G.bytes += w * h * 16;
    return id;
  };
  G.deleteTexture = (id) => {
    const t = G.textures[id];
    if (t) {
      if (!G.lost) G.gl.deleteTexture(t);
      G.textures[id] = null; G.bytes -= G.sizes[id]; G.sizes[id] = 0; G.dims[id] = null; G.freeIds.push(id);
    }
  };
  G.liveTextures = () => G.textures.filter((t) => t).length;
  G.liveBytes = () => G.bytes;
  G.upload = (id, w, h, data) => {
    const gl = G.gl;
    gl.bindTexture(gl.TEXTURE_2D, G.textures[id]);
    const full = Math.floor(data.length / (w * 4));
    if (full > 0) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, full, gl.RGBA, gl.FLOAT, data, 0);
    const rest = data.length - full * w * 4;
    if (rest > 0) {
      const last = new Float32Array(w * 4);
      last.set(data.subarray(full * w * 4));
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, full, w, 1, gl.RGBA, gl.FLOAT, last, 0);
    }
  };
  G.uploadFrom = (id, w, h, n) => {  // data staged in G.stage (a Float32Array filled from Python)
    G.upload(id, w, h, G.stage.subarray(0, n));
  };
  // An image source's pixels straight into texture id (one pixel per texel, w x h, values 0..1, not premultiplied)
  G.uploadPixels = (id, w, h, source) => {
    const gl = G.gl;
    gl.bindTexture(gl.TEXTURE_2D, G.textures[id]);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, h, gl.RGBA, gl.FLOAT, source);
  };
  G.stageArray = (n) => { if (!G.stage || G.stage.length < n) G.stage = new Float32Array(Math.max(n, 1024));
                          return G.stage.subarray(0, n); };
  G.run = (prog, out, w, h, texs, ui, uf) => {
    const gl = G.gl, e = G.programs[prog];
    gl.bindFramebuffer(gl.FRAMEBUFFER, G.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, G.textures[out], 0);
    gl.viewport(0, 0, w, h);
    gl.useProgram(e.p);
    for (let i = 0; i < texs.length; i++) {
      gl.activeTexture(gl.TEXTURE0 + i); gl.bindTexture(gl.TEXTURE_2D, G.textures[texs[i]]);
      if (e.inv) { const d = G.dims[texs[i]]; e.invData[2 * i] = d[0]; e.invData[2 * i + 1] = d[1]; }
    }
    if (e.inv && texs.length) gl.uniform2fv(e.inv, e.invData);
    if (e.ui && ui.length) gl.uniform1iv(e.ui, ui);
    if (e.uf && uf.length) gl.uniform1fv(e.uf, uf);
    gl.bindVertexArray(G.vao);
    const q = G.profiling && G.timer ? gl.createQuery() : null;
    if (q) gl.beginQuery(G.timer.TIME_ELAPSED_EXT, q);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    if (q) { gl.endQuery(G.timer.TIME_ELAPSED_EXT); G.queries.push(q); }
    // Unbind the output so that a later op may sample it (feedback loops are errors in WebGL2).
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
  };
  G.read = (id, w, h, n) => {
    const gl = G.gl;
    if (G.isLost()) throw new Error("WebGL context lost");
    const rows = Math.ceil(n / (4 * w));
    const buf = new Float32Array(rows * w * 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, G.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, G.textures[id], 0);
    gl.readPixels(0, 0, w, rows, gl.RGBA, gl.FLOAT, buf);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
    if (G.isLost()) throw new Error("WebGL context lost");
    return buf.subarray(0, n);
  };
  G.finish = () => { G.gl.finish(); };
  // Wait until the texture's pending writes are done: read one texel (gl.finish() need not wait for the GPU,
  // and under SwiftShader it does not; a readPixels must).
  G.syncTexel = new Float32Array(4);
  G.sync = (id) => {
    const gl = G.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, G.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, G.textures[id], 0);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, G.syncTexel);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
  };
  // GPU time of the passes run since profiling began (ms each, in order), once the queries are done;
  // null while some are pending (results come on a later turn of the event loop), [] without the extension.
  G.queryTimes = () => {
    const gl = G.gl;
    if (!G.timer) return [];
    for (const q of G.queries) if (!gl.getQueryParameter(q, gl.QUERY_RESULT_AVAILABLE)) return null;
    const disjoint = gl.getParameter(G.timer.GPU_DISJOINT_EXT);
    const out = G.queries.map((q) => gl.getQueryParameter(q, gl.QUERY_RESULT) / 1e6);
    for (const q of G.queries) gl.deleteQuery(q);
    G.queries = [];
    return disjoint ? [] : out;
  };
  G.loseContext = () => { if (G.loseExt) { G.loseExt.loseContext(); G.lost = true; return true; } return false; };
  G.destroy = () => {
    if (!G.gl) return;
    for (let i = 1; i < G.textures.length; i++) G.deleteTexture(i);
    for (let i = 0; i < G.programs.length; i++) G.deleteProgram(i);
    if (!G.lost) for (const q of G.queries) G.gl.deleteQuery(q);
    G.queries = [];
    if (G.canvas && G.onLost) G.canvas.removeEventListener("webglcontextlost", G.onLost, false);
    G.listeners = 0;
    if (!G.lost && G.loseExt) { try { G.loseExt.loseContext(); } catch (e) {} }
    G.gl = null; G.canvas = null;
  };
  return G;
})()
"""


class WebGLUnavailable(Exception):
    """No usable WebGL2 context (no WebGL2, no EXT_color_buffer_float, or the context was lost)."""


class GLContext:
    """A WebGL2 context with float32 render targets, driven through a JS helper object."""

    def __init__(self, offscreen: bool = True, force_no_float: bool = False):
        require_browser("The WebGL backend")
        self._g = js.eval(_GLUE_JS)
        if force_no_float:
            self._g.forceNoFloat = True
        info = self._g.init(offscreen)
        info = info.to_py() if hasattr(info, "to_py") else dict(info)
        self.info = {k: info[k] for k in info}
        if not self.info.get("ok"):
            reason = self.info.get("reason", "unknown")
            self._g.destroy()
            self._g = None
            raise WebGLUnavailable(reason)
        self.max_texture_size = int(self.info["maxTextureSize"])
        self._empty = ffi.to_js([])

    # programs -----------------------------------------------------------------------------------
    def compile(self, source: str, n_textures: int) -> int:
        try:
            return int(self._g.compile(source, n_textures))
        except Exception as e:  # JsException
            msg = str(e)
            if "context lost" in msg:
                raise WebGLUnavailable("the WebGL context was lost") from None
            raise RuntimeError(f"{msg}\n--- shader source ---\n{_numbered(source)}") from None

    def delete_program(self, pid: int) -> None:
        self._g.deleteProgram(pid)

    # textures -----------------------------------------------------------------------------------
    def create_texture(self, w: int, h: int) -> int:
        return int(self._g.createTexture(w, h))

    def delete_texture(self, tid: int) -> None:
        self._g.deleteTexture(tid)

    def live_textures(self) -> int:
        return int(self._g.liveTextures())

    def live_bytes(self) -> int:
        """Bytes of GPU memory held by live textures (w * h * 16 each: RGBA32F)."""
        return int(self._g.liveBytes())

    def upload(self, tid: int, w: int, h: int, flat: np.ndarray) -> None:
        """Copy a flat float32 array into the texture (one copy into JS memory, then to the GPU)."""
        n = int(flat.size)
        stage = self._g.stageArray(n)
        stage.assign(memoryview(flat))
        self._g.uploadFrom(tid, w, h, n)

    def upload_pixels(self, tid: int, w: int, h: int, source) -> None:
        """Copy an image source (image, canvas, video, ImageData, ImageBitmap) into the texture, one pixel
        per texel as 0..1 floats: the browser moves the pixels, Python never sees them."""
        self._g.uploadPixels(tid, w, h, source)

    def run(self, prog: int, out: int, w: int, h: int, textures: list[int], ints: list[int],
            floats: list[float]) -> None:
        self._g.run(prog, out, w, h, ffi.to_js(textures), ffi.to_js(ints) if ints else self._empty,
                    ffi.to_js(floats) if floats else self._empty)

    def read(self, tid: int, w: int, n: int) -> np.ndarray:
        try:
            buf = self._g.read(tid, w, 0, n)
        except Exception as e:
            if "context lost" in str(e):
                raise WebGLUnavailable("the WebGL context was lost") from None
            raise
        out = np.empty(n, np.float32)
        if n:
            buf.assign_to(out)
        return out

    def finish(self) -> None:
        self._g.finish()

    def sync(self, tid: int) -> None:
        """Block until the GPU has finished writing texture ``tid`` (a one-texel readback)."""
        self._g.sync(tid)

    # profiling ----------------------------------------------------------------------------------
    @property
    def has_timer_query(self) -> bool:
        """EXT_disjoint_timer_query_webgl2 is available (per-pass GPU time)."""
        return bool(self.info.get("timerQuery"))

    def set_profiling(self, on: bool) -> None:
        self._g.profiling = bool(on)

    def query_times(self):
        """GPU ms of each pass since profiling began; None while results are pending."""
        res = self._g.queryTimes()
        return None if res is None else [float(v) for v in res.to_py()]

    # state --------------------------------------------------------------------------------------
    def is_lost(self) -> bool:
        return bool(self._g.isLost())

    def lose_context(self) -> bool:
        """Simulate a context loss (WEBGL_lose_context), for tests."""
        return bool(self._g.loseContext())

    def js_listeners(self) -> int:
        return int(self._g.listeners)

    def destroy(self) -> None:
        """Free the GL objects and every JS object this context references (its JsProxies)."""
        if self._g is not None:
            self._g.destroy()
            self._g = None
        self._empty = None


def _numbered(source: str) -> str:
    return "\n".join(f"{i + 1:4d} {line}" for i, line in enumerate(source.splitlines()))


# Test hook: act as if EXT_color_buffer_float were missing (the next context fails to start, with the error
# a browser without float32 render targets gives).
FORCE_NO_FLOAT = False


def js_refs() -> int | None:
    """JS objects referenced from Python right now (Pyodide's hiwire table: every live JsProxy and the
    references the runtime itself holds); None where Pyodide does not expose the count."""
    if not IN_PYODIDE:
        return None
    from . import pyodide_js

    fn = getattr(pyodide_js._module, "_hiwire_num_refs", None)
    return int(fn()) if fn is not None else None


def create_context(**kwargs) -> GLContext:
    if not IN_PYODIDE:
        require_browser("The WebGL backend")
    kwargs.setdefault("force_no_float", FORCE_NO_FLOAT)
    return GLContext(**kwargs)


__all__ = ["GLContext", "WebGLUnavailable", "create_context", "js_refs", "FORCE_NO_FLOAT"]
