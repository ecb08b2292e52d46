/**
 * The size and cold-start cost of every function as it deploys: each is bundled with the options CDK uses
 * (infra/bundling.ts), then imported in fresh Node processes with the environment it needs, nothing
 * reachable (AWS endpoints point at a closed local port). `npx tsx test/bench/bundles.ts` prints a table
 * and fails when a function is over budget; `npm run bench` calls `measureBundles`.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLING, esbuildOptions } from '../../infra/bundling';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../infra/functions';
import type { EnvName } from '../../shared/env';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 5;

/** What issue 9 allows a function: the bundle CDK deploys, and the time to import it in a fresh process. */
export const BUNDLE_BUDGET = { bytes: 300_000, initMs: 150 };

export interface BundleFigures {
  bytes: number;
  /** Wall time of the import, median of the runs: the budget's measure. */
  initMs: number;
  /** CPU time of the import (all threads), median: steadier than wall time on a busy machine. */
  cpuMs: number;
}

/** A value for every variable a function may read; typed so that a new variable needs one here. */
const ENV_VALUES = (baseUrl: string): Record<EnvName, string> => ({
  SUBSCRIBERS_TABLE: 'bench-subscribers',
  INCIDENTS_TABLE: 'bench-incidents',
  DELIVERIES_TABLE: 'bench-deliveries',
  CATALOG_TABLE: 'bench-catalog',
  // Secrets as plain values, as the local stack gives them: nothing is fetched from Secrets Manager.
  WEBHOOK_TOKEN: 'bench-webhook-token-0123456789',
  ADMIN_API_KEY: 'bench-admin-api-key-0123456789',
  LINK_SIGNING_SECRET: 'bench-link-signing-secret-0123456789abcdef',
  CHANNEL_SEALING_SECRET: 'bench-channel-sealing-secret-0123456789abcd',
  PUBLIC_BASE_URL: baseUrl,
  ADMIN_API_URL: baseUrl,
  CONSOLE_IDLE_MINUTES: '30',
  CHANNELS_ALLOW_LOOPBACK: 'false',
  MAIL_FROM: 'status@bench.example.com',
  SES_CONFIGURATION_SET: 'bench',
  SUBSCRIBE_LIMIT_PER_IP: '20',
  SUBSCRIBE_LIMIT_PER_ADDRESS: '5',
  SUBSCRIBE_EMBED_ORIGINS: 'https://status.example.com',
  MAINTENANCE_REMINDER_MINUTES: '60',
  // Without it the sender asks SES for its quota at cold start.
  SES_MAX_SEND_RATE: '14',
  PENDING_STALE_MINUTES: '10',
  SES_MESSAGE_ID_DOMAIN: 'email.amazonses.com',
});

/** A local port nothing listens on: a request that leaves the process by mistake fails at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Builds every function into `outRoot/<name>/` as CDK does (bundle, then its assets beside it), with a
 * `node_modules` link so the SDK, left to the Lambda runtime, resolves to the lockfile's copy here.
 */
export async function buildBundles(outRoot: string): Promise<Record<FunctionName, string>> {
  symlinkSync(join(ROOT, 'node_modules'), join(outRoot, 'node_modules'), 'dir');
  const entries = Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>;
  const built = await Promise.all(
    entries.map(async ([name, spec]) => {
      const outDir = join(outRoot, name);
      await build({ ...esbuildOptions(join(ROOT, spec.entry), outDir), logLevel: 'error' });
      cpSync(join(ROOT, BUNDLING.assets.from), join(outDir, BUNDLING.assets.to), { recursive: true });
      return [name, join(outDir, BUNDLING.outFile)] as const;
    }),
  );
  return Object.fromEntries(built) as Record<FunctionName, string>;
}

// Times the import alone, not Node's own start: what the bundle adds to a cold start.
const IMPORT_TIMED = `
const cpu = process.cpuUsage();
const started = performance.now();
await import(process.argv[1]);
const wall = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ wall, cpu: (user + system) / 1000 }));
process.exit(0);
`;

async function timeImport(bundle: string, env: NodeJS.ProcessEnv): Promise<{ wall: number; cpu: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMED, pathToFileURL(bundle).href],
    { env, timeout: 30_000 },
  );
  return JSON.parse(stdout);
}

const median = (values: number[]) => {
  const middle = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return Math.round(middle * 10) / 10;
};

/** The SDK clients every function's bundle leaves to the runtime: their import alone is the yardstick. */
const SDK_CLIENTS = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-sesv2'];
export const SDK_ALONE = 'sdk clients alone';

/** Bytes of each function's bundle and the median over `runs` fresh processes of the time to import it. */
export async function measureBundles(runs = RUNS): Promise<Record<string, BundleFigures>> {
  const outRoot = mkdtempSync(join(tmpdir(), 'notifier-bundles-'));
  try {
    const bundles = await buildBundles(outRoot);
    const port = await closedPort();
    const values = ENV_VALUES(`http://127.0.0.1:${port}`);
    // A clean environment, as Lambda gives one: the function's variables and the runtime's AWS ones.
    const envOf = (spec: FunctionSpec): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      NODE_OPTIONS: BUNDLING.nodeOptions,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      ...Object.fromEntries(spec.env.map((name) => [name, values[name]])),
    });
    const names = Object.keys(bundles) as FunctionName[];
    // The yardstick, timed in the same rounds: importing the SDK clients the functions use, and nothing else.
    const sdkOnly = join(outRoot, 'sdk-clients.mjs');
    writeFileSync(sdkOnly, SDK_CLIENTS.map((client) => `import '${client}';`).join('\n'));
    const times = new Map(
      [...names, SDK_ALONE].map((name) => [name, [] as Array<{ wall: number; cpu: number }>]),
    );
    // Round after round over all functions, so that a burst of load elsewhere spreads over all of them.
    for (let run = 0; run < runs; run++) {
      for (const name of names)
        times.get(name)?.push(await timeImport(bundles[name], envOf(functionSpecs[name])));
      times
        .get(SDK_ALONE)
        ?.push(await timeImport(sdkOnly, { PATH: process.env.PATH, AWS_REGION: 'us-east-1' }));
    }
    const figures: Record<string, BundleFigures> = {};
    for (const name of [...names, SDK_ALONE]) {
      const samples = times.get(name) ?? [];
      figures[name] = {
        bytes: name === SDK_ALONE ? 0 : statSync(bundles[name as FunctionName]).size,
        initMs: median(samples.map((t) => t.wall)),
        cpuMs: median(samples.map((t) => t.cpu)),
      };
    }
    return figures;
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureBundles();
  const over = (f: BundleFigures) => f.bytes > BUNDLE_BUDGET.bytes || f.initMs > BUNDLE_BUDGET.initMs;
  const sdk = figures[SDK_ALONE]?.initMs ?? Number.NaN;
  console.table(
    Object.fromEntries(
      Object.entries(figures).map(([name, f]) => [
        name,
        {
          KB: Math.round(f.bytes / 100) / 10,
          'init ms': f.initMs,
          'cpu ms': f.cpuMs,
          'x SDK': Math.round((f.initMs / sdk) * 100) / 100,
          budget: name === SDK_ALONE ? '' : over(f) ? 'OVER' : 'ok',
        },
      ]),
    ),
  );
  const [load] = loadavg();
  console.log(
    `budget ${BUNDLE_BUDGET.bytes / 1000} KB and ${BUNDLE_BUDGET.initMs} ms, medians of ${RUNS} imports; ` +
      `load average ${load?.toFixed(1)} on ${availableParallelism()} CPUs (wall time grows with it, CPU time less)`,
  );
  if (Object.values(figures).some(over)) process.exitCode = 1;
}
