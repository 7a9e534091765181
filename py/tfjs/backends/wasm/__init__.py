"""The wasm backend: SIMD128 kernels of our own (wasm/kernels/*.c) in a WebAssembly module, in the page."""
