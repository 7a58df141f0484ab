// wrangler and @cloudflare/vitest-plugin turn a `.wasm` import into a WebAssembly.Module compiled at deploy time.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
