// The last step of the scripts that generate a source file from an installed package: write it, or with --check
// exit 1 when the committed file is out of date (a unit test runs the check, so drift fails the suite).
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fromRoot = (url: string | URL) => relative(root, fileURLToPath(url));

/** True when the module at `moduleUrl` is the script node was started with (not one a test imported). */
export function isMain(moduleUrl: string): boolean {
  const started = process.argv[1];
  return started !== undefined && moduleUrl.endsWith(started.split('/').pop()!);
}

export async function writeOrCheck(generatorUrl: string, target: URL, rendered: string): Promise<void> {
  if (process.argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== rendered) {
      console.error(`${fromRoot(target)} is out of date: run node --import tsx ${fromRoot(generatorUrl)}`);
      process.exit(1);
    }
    console.log(`${fromRoot(target)} is up to date`);
  } else {
    await writeFile(target, rendered);
    console.log(`wrote ${fromRoot(target)}`);
  }
}
