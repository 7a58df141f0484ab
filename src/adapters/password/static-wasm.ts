// Why this exists: Workers forbid compiling WebAssembly at run time ("Wasm code generation disallowed by
// embedder"); WebAssembly must arrive as modules compiled at deploy time. hash-wasm offers no way to be handed a
// compiled module: it always calls WebAssembly.compile(bytes) on binaries embedded in its JavaScript, once per
// binary per isolate, and caches the result for good. So, once per isolate, we answer exactly those compiles with
// our static modules (committed copies of the same bytes, see scripts/extract-hash-wasm.ts): the hook is in place
// only while one tiny warm-up hash runs, it recognises hash-wasm's bytes by their SHA-256 digest, and it passes
// every other compile through untouched. After the warm-up hash-wasm uses its cache and never compiles again.

type Compile = typeof WebAssembly.compile;

async function sha256Hex(source: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', source));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs `warmUp` while WebAssembly.compile answers the bytes whose SHA-256 is a key of `modulesBySha256` with the
 * matching precompiled module. Throws unless every one of those modules was asked for: then hash-wasm's binaries
 * differ from the committed ones, or it had already compiled them before the warm-up.
 */
export async function withStaticWasm(modulesBySha256: ReadonlyMap<string, WebAssembly.Module>, warmUp: () => Promise<unknown>): Promise<void> {
  const api = WebAssembly as { compile: Compile };
  const original = api.compile;
  const served = new Set<string>();
  const hook: Compile = async (source) => {
    const digest = await sha256Hex(source);
    const module = modulesBySha256.get(digest);
    if (!module) return original.call(WebAssembly, source);
    served.add(digest);
    return module;
  };
  api.compile = hook;
  try {
    await warmUp();
  } finally {
    // Put back the original only if nobody replaced our hook in the meantime.
    if (api.compile === hook) api.compile = original;
  }
  const missing = [...modulesBySha256.keys()].filter((digest) => !served.has(digest));
  if (missing.length > 0) {
    throw new Error(`hash-wasm did not ask for the static WebAssembly ${missing.join(', ')}; re-run scripts/extract-hash-wasm.ts`);
  }
}
