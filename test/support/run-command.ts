// Runs a command to completion for tests that drive the tools a newcomer would (npm, tsc, bash): resolves with its
// output, rejects with all of it when it exits non-zero or outlives its timeout.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * The environment of a command: Node 24 (this process's) first on PATH, and none of the `npm_*` variables an
 * enclosing `npm test` sets, which would make a nested npm act on the enclosing project.
 */
export function commandEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(name)) env[name] = value;
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  return { ...env, ...extra };
}

export function runCommand(
  file: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: Record<string, string>; input?: string },
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? commandEnv(), timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${[file, ...args].join(' ')} failed (${error.message.split('\n')[0]}):\n${stdout}${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
