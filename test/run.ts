// `npm test`: every vitest project in one run. Streams vitest's own output, writes its JSON report, then prints a
// per-project table and one closing line `N passed, N failed[, N skipped]` over test cases. Exits non-zero when a
// test or a file failed, when vitest itself failed, when nothing ran, or (under CI) when anything was skipped.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestSummary } from './support/project-summary-reporter';

const root = resolve(import.meta.dirname, '..');
const reportDir = process.env.TEST_REPORT_DIR ?? join(root, 'test-results');
const jsonReport = join(reportDir, 'vitest.json');
const summaryFile = join(reportDir, 'projects.json');
const inCi = process.env.CI === 'true';

mkdirSync(reportDir, { recursive: true });
// A report left by an earlier run must never be read as this run's result.
rmSync(jsonReport, { force: true });
rmSync(summaryFile, { force: true });

const vitestArgs = [
  join(root, 'node_modules/vitest/vitest.mjs'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${jsonReport}`,
  `--reporter=${join(root, 'test/support/project-summary-reporter.ts')}`,
  ...process.argv.slice(2),
];
// Ctrl-C reaches vitest too (same process group); wait for it to clean up and report instead of dying first.
process.on('SIGINT', () => {});
const child = spawn(process.execPath, vitestArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AUTHGATE_TEST_SUMMARY: summaryFile },
});
const vitestExitCode = await new Promise<number>((done) => {
  child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  child.on('error', () => done(1));
});

const summary: TestSummary | undefined = existsSync(summaryFile)
  ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as TestSummary)
  : undefined;
const problems: string[] = [];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows: string[][] = [['project', 'passed', 'failed', 'skipped']];
for (const [name, counts] of Object.entries(summary?.projects ?? {})) {
  const projectFailed = counts.failed + counts.fileErrors.length;
  rows.push([name, String(counts.passed), String(projectFailed), String(counts.skipped)]);
  passed += counts.passed;
  failed += projectFailed;
  skipped += counts.skipped;
  problems.push(...counts.fileErrors.map((error) => `[${name}] file failed: ${error}`));
}
for (const error of summary?.unhandledErrors ?? []) {
  failed++;
  problems.push(`unhandled error: ${error}`);
}
if (!summary) {
  failed++;
  problems.push(`vitest exited with code ${vitestExitCode} before reporting any result (see its output above)`);
} else if (vitestExitCode !== 0 && failed === 0) {
  failed++;
  problems.push(`vitest failed outside any test (exit code ${vitestExitCode}): see its output above`);
}
if (passed + failed === 0) problems.push('no test ran');
if (inCi && skipped > 0) {
  problems.push(`${skipped} skipped test(s) count as failures under CI: this project does not skip tests`);
  failed += skipped;
  skipped = 0;
}

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
console.log(`\n${line(rows[0]!)}\n${rows.slice(1).map(line).join('\n')}`);
for (const problem of problems) console.log(`! ${problem}`);
console.log(`JSON report: ${jsonReport}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 || vitestExitCode !== 0 ? 1 : 0;
