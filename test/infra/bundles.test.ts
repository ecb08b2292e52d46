import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../infra/bundling';
import { type FunctionName, functionSpecs } from '../../infra/functions';
import { NotifierFunction } from '../../infra/notifier-function';
import { BUNDLE_BUDGET, buildBundles } from '../bench/bundles';

// The bundles the bench measures, and the ones CDK makes of the same functions for a deploy.
let dir: string;
let bundles: Record<FunctionName, string>;
let deployed: Buffer[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'notifier-bundles-test-'));
  bundles = await buildBundles(dir);
  const app = new App({ outdir: join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Bundles');
  for (const [name, spec] of Object.entries(functionSpecs)) new NotifierFunction(stack, name, spec);
  app.synth();
  deployed = readdirSync(join(dir, 'cdk.out'))
    .filter((entry) => entry.startsWith('asset.'))
    .map((asset) => readFileSync(join(dir, 'cdk.out', asset, 'index.mjs')));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = Object.keys(functionSpecs) as FunctionName[];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('function bundles (issue 9)', () => {
  it.each(names)('%s: the bench builds, byte for byte, the bundle CDK deploys', (name) => {
    const built = readFileSync(bundles[name]);
    expect(deployed.some((bundle) => bundle.equals(built))).toBe(true);
  });

  it.each(names)('%s: at most 300 KB', (name) => {
    expect(readFileSync(bundles[name]).length).toBeLessThanOrEqual(BUNDLE_BUDGET.bytes);
  });

  it.each(names)(
    "%s: zod's mini API only, not the classic one (60 KB more, and slower to load)",
    async (name) => {
      const { metafile } = await build({
        ...esbuildOptions(join(ROOT, functionSpecs[name].entry), join(dir, 'metafile', name)),
        logLevel: 'error',
        metafile: true,
        write: false,
      });
      const inputs = Object.keys(metafile.inputs);
      expect(inputs.filter((path) => path.includes('node_modules/zod/v4/classic/'))).toEqual([]);
    },
  );
});
