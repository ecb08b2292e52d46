import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningService, startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { freePort } from '../support/ports';

// `npm start` as a newcomer runs it, on a DynamoDB Local of its own (empty tables at first).
const ROOT = join(import.meta.dirname, '..', '..');
let dynamodb: RunningService;
let workDir: string;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal(await freePort());
  workDir = mkdtempSync(join(tmpdir(), 'start-'));
});
afterAll(async () => {
  await dynamodb?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs `npm start` until its banner is printed; returns the banner and the API's address. */
async function start(
  env: Record<string, string> = {},
): Promise<{ banner: string; api: string; child: ChildProcess }> {
  const port = await freePort();
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'infra/local/start.ts')], {
    cwd: workDir,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      SES_ENDPOINT: inject('sesEndpoint'),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 30_000;
  while (!output.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { banner: output, api: `http://127.0.0.1:${port}`, child };
}

async function stop(child: ChildProcess) {
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

describe('npm start on empty tables', () => {
  it('starts empty with DEMO_PAGE=false, else imports the demo page once, so /subscribe works at once', {
    timeout: 120_000,
  }, async () => {
    const empty = await start({ DEMO_PAGE: 'false' });
    expect(empty.banner).toContain("no page yet: import a page's components first, see the README");
    expect(await (await fetch(`${empty.api}/subscribe`)).text()).toContain('No status page is set up yet');
    await stop(empty.child);

    const first = await start();
    expect(first.banner).toContain(
      'demo page Kustomer (zt2xw0cbdp1v) imported into the empty catalog; DEMO_PAGE=false starts empty',
    );
    const page = await (await fetch(`${first.api}/subscribe`)).text();
    expect(page).toContain('Prod1 (US)');
    expect(page).toContain('Channel - Chat');
    await stop(first.child);

    const again = await start();
    expect(again.banner).toContain('Subscribe page       ');
    expect(again.banner).toContain('(pages: Kustomer)');
    await stop(again.child);
  });
});
