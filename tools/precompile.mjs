// Runs tools/precompile.py in Pyodide under Node (build time): usage
//   node tools/precompile.mjs <pyodide dir> <job.json>
// The job's host paths are copied into Pyodide's file system and its outputs copied back; see precompile.py.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, jobPath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: console.error });
const job = JSON.parse(readFileSync(jobPath, "utf8"));

// Host files in, under /job/; their Pyodide paths replace the host ones in the job.
let n = 0;
pyodide.FS.mkdirTree("/job");
const input = (path) => {
  const inside = `/job/in${n++}`;
  pyodide.FS.writeFile(inside, new Uint8Array(readFileSync(path)));
  return inside;
};
const outputs = [];
const output = (path) => {
  const inside = `/job/out${n++}`;
  outputs.push([inside, path]);
  return inside;
};
if (job.stdlib) Object.assign(job.stdlib, { src: input(job.stdlib.src), out: output(job.stdlib.out) });
if (job.trees) {
  for (const tree of job.trees) tree.archive = input(tree.archive);
  job.overlay = output(job.overlay);
}

const here = dirname(fileURLToPath(import.meta.url));
pyodide.FS.writeFile("/job/precompile.py", readFileSync(join(here, "precompile.py"), "utf8"));
pyodide.runPython("import sys; sys.path.insert(0, '/job')");
const done = pyodide.pyimport("precompile").run(pyodide.toPy(job)).toJs({ dict_converter: Object.fromEntries });
for (const [inside, path] of outputs) writeFileSync(path, pyodide.FS.readFile(inside));
console.log(JSON.stringify(done));
