import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('function bundles (issue 9)', () => {
  it.each(names)('%s: the bench builds, byte for byte, the bundle CDK deploys', (name) => {
    const built = readFileSync(bundles[name]);
    expect(deployed.some((bundle) => bundle.equals(built))).toBe(true);
  });

  it.each(names)('%s: at most 300 KB', (name) => {
    expect(readFileSync(bundles[name]).length).toBeLessThanOrEqual(BUNDLE_BUDGET.bytes);
  });
});
