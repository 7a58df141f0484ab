// A detached watchdog process per test server owns that server's shutdown: stop() closes the watchdog's stdin pipe,
// and so does the kernel when the test process dies (even by SIGKILL), so a crashed run never leaves servers behind.
// It never kills by name: it runs the exact stop command, or signals the exact pid, it was given.
import { type ChildProcess, spawn } from 'node:child_process';

// Runs the cleanup steps and removes the temp dir once its stdin closes, then exits.
const WATCHDOG_SOURCE = `
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const [steps, dir] = JSON.parse(process.argv[1]);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.resume();
process.stdin.on('close', () => {
  for (const step of steps) {
    if (step.run) spawnSync(step.run[0], step.run.slice(1), { stdio: 'ignore' });
    else {
      try { process.kill(step.kill, 'SIGTERM'); } catch {}
      // Redis reopens its log file for every line, so removing the dir before it has exited can leave it behind.
      for (let i = 0; i < 100 && alive(step.kill); i++) sleep(50);
    }
  }
  try { rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); } catch {}
  process.exit(0);
});`;

export type CleanupStep = { run: string[] } | { kill: number };

export function startWatchdog(steps: CleanupStep[], dir: string): { stop: () => Promise<void> } {
  const child: ChildProcess = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, JSON.stringify([steps, dir])], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the child nor the pipe may keep the test process alive; the pipe must only close when it exits.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        child.ref();
        child.stdin?.end();
        child.stdin?.destroy();
        await exited;
      })();
      return stopping;
    },
  };
}
