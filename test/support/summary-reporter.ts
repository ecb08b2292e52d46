import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with a plain `N passed, N failed` line, which CI reads whatever the runner. A file that
 * failed outside any test (a setup hook that threw) counts as one failure: its tests only show skipped.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const states = testModules.flatMap((module) =>
      [...module.children.allTests()].map((test) => test.result().state),
    );
    const count = (state: string) => states.filter((s) => s === state).length;
    const brokenFiles = testModules.filter(
      (module) =>
        module.state() === 'failed' &&
        ![...module.children.allTests()].some((test) => test.result().state === 'failed'),
    ).length;
    console.log(
      `Tests: ${count('passed')} passed, ${count('failed') + brokenFiles} failed, ${count('skipped')} skipped`,
    );
  }
}
