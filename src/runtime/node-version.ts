// Which Node versions `npm start` runs on. Node 24 is the target; 20.6 and 22 work too (passwords then hash with
// hash-wasm in worker threads). 20.6 is where tsx's `--import` loader starts to work (module.register), and what
// our dependencies ask for (node-redis, nodemailer and @hono/node-server all say >=20).

export const MINIMUM_NODE = { major: 20, minor: 6 } as const;

/** One line saying what to install when `version` (process.versions.node) is too old; undefined when it will do. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const { major: needMajor, minor: needMinor } = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `Node ${version} is too old: install Node 24 (see .nvmrc); ${needMajor}.${needMinor} or newer also works`;
}
