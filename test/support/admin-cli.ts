// Runs the operator CLI (`npm run admin -- ...`, i.e. node --import tsx scripts/admin.ts) in a child process with
// only the given settings, feeding `stdin` to it. The child ends by itself (every command exits when done).
import { spawn } from 'node:child_process';
import { QUICK_TEST_SETTINGS, repoRoot } from './authgate-process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with cheap hashing and quiet logs (QUICK_TEST_SETTINGS) under `settings`; everything else as the operator would set it. */
export function runAdminCli(args: string[], settings: Record<string, string>, stdin = ''): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name]!;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
    cwd: repoRoot,
    env: { ...env, ...QUICK_TEST_SETTINGS, ...settings },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
