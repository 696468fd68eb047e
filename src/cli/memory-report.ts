/**
 * An env-gated memory report (bench/memory.ts): with MUSCODE_MEMORY_REPORT=1, a process that
 * receives SIGUSR2 writes one line to stderr, `muscode-memory {json}`: its RSS, V8 heap, external
 * memory and, in the API process, the size of PGlite's WebAssembly memory. Off by default (SIGUSR2
 * keeps its default action then).
 */
export function installMemoryReport(role: string, wasmBytes: () => number | null = () => null): void {
  if (process.env.MUSCODE_MEMORY_REPORT !== '1') return;
  process.on('SIGUSR2', () => {
    const m = process.memoryUsage();
    const line = { pid: process.pid, role, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasmBytes() };
    process.stderr.write(`muscode-memory ${JSON.stringify(line)}\n`);
  });
}
