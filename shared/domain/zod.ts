/*
 * zod as everything bundled into a function imports it: `import * as z from '<path>/domain/zod'`.
 *
 * Its mini API (`zod/mini`), not the classic one: the classic API is one piece that every bundle carries
 * whole (60 KB more per function than mini, minified), that takes milliseconds to evaluate at cold start,
 * and that attaches dozens of methods to every schema it builds; mini's functions are tree-shaken to the
 * ones a function uses. test/infra/bundles.test.ts checks that no function bundles the classic API.
 *
 * With English messages, as the classic API gives them: mini loads no locale, and without one every
 * message zod writes itself (a wrong type, a string too long) would read "Invalid input". The locale is
 * set here, where every schema's module imports zod from, so it is set before anything is parsed.
 */
import { en } from 'zod/locales';
// biome-ignore lint/style/noRestrictedImports: the one module that imports zod/mini, to set its locale first.
import { config, type core } from 'zod/mini';

config(en());

// biome-ignore lint/style/noRestrictedImports: the one module that imports zod/mini, to set its locale first.
export * from 'zod/mini';

/**
 * An issue raised in a `z.transform`, as classic zod's `ctx.addIssue` raised it: a custom issue about
 * the value being transformed. Mini hands a transform the bare parse payload, which has no `addIssue`.
 */
export function addIssue(
  ctx: core.ParsePayload,
  issue: { code: 'custom'; message: string; path?: PropertyKey[] } & Record<string, unknown>,
): void {
  ctx.issues.push(('input' in issue ? { ...issue } : { ...issue, input: ctx.value }) as core.$ZodRawIssue);
}
