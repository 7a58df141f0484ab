// vitest reporter used by test/run.ts: counts test cases per project (vitest's JSON report does not say which
// project ran a file, and the HTTP suite runs in two) and writes them to $AUTHGATE_TEST_SUMMARY.
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

export interface ProjectCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed outside any test case: failed to load, a hook threw, or never finished. */
  fileErrors: string[];
}

export interface TestSummary {
  projects: Record<string, ProjectCounts>;
  unhandledErrors: string[];
  reason: TestRunEndReason;
}

export default class ProjectSummaryReporter implements Reporter {
  #projectNames: string[] = [];

  onInit(vitest: Vitest): void {
    this.#projectNames = vitest.projects.map((project) => project.name);
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const output = process.env.AUTHGATE_TEST_SUMMARY;
    if (!output) return;
    const projects: Record<string, ProjectCounts> = {};
    for (const name of this.#projectNames) projects[name] = { passed: 0, failed: 0, skipped: 0, fileErrors: [] };
    for (const testModule of testModules) {
      const counts = (projects[testModule.project.name] ??= { passed: 0, failed: 0, skipped: 0, fileErrors: [] });
      let failedHere = 0;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') failedHere++;
        else counts.skipped++;
      }
      counts.failed += failedHere;
      const state = testModule.state();
      const unfinished = state === 'queued' || state === 'pending';
      if (failedHere === 0 && (state === 'failed' || unfinished || testModule.errors().length > 0)) {
        const why = testModule.errors()[0]?.message ?? (unfinished ? 'did not finish' : 'failed outside a test');
        counts.fileErrors.push(`${testModule.relativeModuleId}: ${why.split('\n')[0]}`);
      }
    }
    const summary: TestSummary = {
      projects,
      unhandledErrors: unhandledErrors.map((error) => (error.message ?? String(error)).split('\n')[0] ?? ''),
      reason,
    };
    writeFileSync(output, JSON.stringify(summary, null, 2));
  }
}
