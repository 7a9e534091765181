"""TF.js's modules as ES modules in the page, for what its bundle leaves out (tfjs-layers' nlp layers).

``serve_tfjs_modules(page)`` answers requests under PREFIX from node_modules: ``core.js`` is TF.js's ES bundle
(tfjs-core with its chained ops and backends), ``layers/<path>`` one of tfjs-layers' dist modules, with its
'@tensorflow/tfjs-core' import pointed at core.js and its extensionless relative imports resolved. In the page:
``const core = await import(PREFIX + 'core.js'); await import(PREFIX + 'layers/layers/nlp/einsum_dense.js')``.
"""

from __future__ import annotations

import re

from harness import ROOT

NPM = ROOT / "node_modules" / "@tensorflow"
PREFIX = "/__tfjs_modules__/"


def _module_source(path: str) -> str:
    """The ES module at PREFIX + path: TF.js's ES bundle (core.js: tfjs-core with its chained ops and backends) or
    one of tfjs-layers' dist modules (extensionless relative imports resolved)."""
    if path == "core.js":
        file = NPM / "tfjs" / "dist" / "tf.fesm.js"
    else:
        assert path.startswith("layers/") and ".." not in path.split("/"), path
        file = NPM / "tfjs-layers" / "dist" / path[len("layers/"):]
    text = file.read_text()
    text = text.replace("'@tensorflow/tfjs-core'", f"'{PREFIX}core.js'")
    if path.startswith("layers/"):
        here = path.rsplit("/", 1)[0]

        def resolve(m):
            target = (NPM / "tfjs-layers" / "dist" / here[len("layers/"):] / m.group(2)).resolve()
            rel = target.relative_to((NPM / "tfjs-layers" / "dist").resolve()).as_posix()
            rel = rel + ".js" if target.with_name(target.name + ".js").is_file() else rel + "/index.js"
            return f"{m.group(1)}'{PREFIX}layers/{rel}'"

        text = re.sub(r"((?:from|import)\s*)'(\.{1,2}/[^']+)'", resolve, text)
    return text


def _serve(route):
    path = route.request.url.split(PREFIX, 1)[1].split("?")[0]
    route.fulfill(status=200, content_type="text/javascript", body=_module_source(path))


def serve_tfjs_modules(page) -> None:
    page.route(f"**{PREFIX}**", _serve)
