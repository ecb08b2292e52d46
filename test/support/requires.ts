import { describe, it } from 'vitest';

/** A program a suite needs that `npm install` does not bring: how to tell it is there, how to install it. */
export interface Requirement {
  what: string;
  present: () => boolean;
  installHint: string;
}

/**
 * A suite that needs `requirement`. Without it, `npm test` reports the suite skipped with the install
 * command; on CI (`CI=true`, where `.ci/run` installs it) a missing program is a failure, never a silent
 * skip.
 */
export function describeNeeding(requirement: Requirement, name: string, body: () => void) {
  if (requirement.present()) return describe(name, body);
  const { what, installHint } = requirement;
  if (process.env.CI === 'true') {
    return describe(name, () => {
      it(`has ${what} to run with`, () => {
        throw new Error(`${what} is not installed on CI: ${installHint}`);
      });
    });
  }
  console.warn(`Skipping "${name}": ${what} is not installed. To run it: ${installHint}`);
  return describe.skipIf(true)(`${name} [skipped: ${what} is not installed: ${installHint}]`, body);
}
