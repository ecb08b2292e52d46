/**
 * Support-side scale: a CSV of N subscribers (100,000 by default) imported through the CLI, then the three
 * searches support runs most (one exact address, a domain, the start of an address) timed over HTTP, each
 * until its first full page is in hand, as a person waits for it. Starts its own local stack with its own
 * DynamoDB Local (in a child process), so figures do not depend on other runs.
 *
 *   npx tsx test/bench/support.ts [--subscribers 100000] [--chunk 1000] [--runs 5]
 *   import { measureSupport } from './support';  await measureSupport({ subscribers: 10_000 })
 *
 * Figures to compare between commits on the same machine, not pass/fail thresholds.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_DEFAULTS, startLocalStack } from '../../infra/local/stack';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freePort } from '../support/ports';

export interface SupportBenchOptions {
  /** Rows (one subscriber each) in the generated CSV. */
  subscribers?: number;
  /** Rows per request, as the CLI's `--chunk`. */
  chunk?: number;
  /** Each search is run this many times; the median is reported. */
  runs?: number;
  /** Where progress lines go; silent by default. */
  log?: (line: string) => void;
}

export interface SupportFigures {
  importSeconds: number;
  /** Milliseconds until a search has its first full page (or its last page, when fewer match). */
  searchMs: { exact: number; domain: number; prefix: number };
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// First names of two syllables (225 of them), so that a start like `ali` is about as rare as in real lists.
const SYLLABLES = ['al', 'an', 'be', 'ca', 'da', 'el', 'fi', 'go', 'ha', 'is', 'jo', 'ka', 'li', 'ma', 'ni'];
const LAST_NAMES = ['smith', 'jones', 'brown', 'taylor', 'wilson', 'davies', 'evans', 'thomas', 'roberts'];
const DOMAINS = 500;
const PAGE_SIZE = 50;

/** Row n's address: 1 in 225 starts with `ali`, 1 in DOMAINS is at any one domain. */
export function benchEmail(n: number): string {
  const first = `${SYLLABLES[n % SYLLABLES.length]}${SYLLABLES[Math.floor(n / SYLLABLES.length) % SYLLABLES.length]}`;
  const last = LAST_NAMES[Math.floor(n / SYLLABLES.length ** 2) % LAST_NAMES.length];
  return `${first}.${last}${n}@org${n % DOMAINS}.example`;
}

function benchCsv(count: number): string {
  const rows = ['email,page,region,component'];
  for (let n = 0; n < count; n++) {
    // A mix of topics, as real lists have: a component, a region, the whole page.
    const topic = [`grp1produs01,${US_CHAT}`, 'grp2prodeu01,', ','][n % 3];
    rows.push(`${benchEmail(n)},${PAGE_ID},${topic}`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * Imports N generated subscribers through the CLI into a fresh local stack and times three searches.
 * Runs in a child process: the stack's handlers read their environment once, at import, so a stack
 * started earlier in the caller's process would otherwise serve this one's requests.
 */
export async function measureSupport(options: SupportBenchOptions = {}): Promise<SupportFigures> {
  const args = [
    '--subscribers',
    String(options.subscribers ?? 100_000),
    '--chunk',
    String(options.chunk ?? 1000),
    '--runs',
    String(options.runs ?? 5),
  ];
  const run = await spawnNode(['--import', 'tsx', fileURLToPath(import.meta.url), '--child', ...args], {
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
    onStderr: options.log,
  });
  if (run.code !== 0) throw new Error(`the support bench failed (${run.code}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as SupportFigures;
}

async function measureHere(options: Required<Omit<SupportBenchOptions, 'log'>>, log: (line: string) => void) {
  const { subscribers: count, chunk, runs } = options;
  const dir = await mkdtemp(join(tmpdir(), 'support-bench-'));
  const stack = await startLocalStack({
    apiPort: 0,
    dynamodb: { port: await freePort() },
    ses: { port: 0 },
    tablePrefix: 'bench-',
  });
  const headers = { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}` };
  try {
    const catalog = await fetch(`${stack.apiUrl}/v1/admin/pages/${PAGE_ID}/components`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: await readFile(new URL('../fixtures/components.json', import.meta.url), 'utf8'),
    });
    if (!catalog.ok) throw new Error(`importing the catalog failed: ${catalog.status}`);

    const file = join(dir, 'subscribers.csv');
    await writeFile(file, benchCsv(count));
    log(`importing ${count} subscribers in chunks of ${chunk} through the CLI`);
    const started = performance.now();
    const run = await spawnNode(
      [
        '--import',
        'tsx',
        'infra/cli/main.ts',
        'subscribers',
        'import',
        file,
        '--chunk',
        String(chunk),
        '--json',
      ],
      {
        env: { STATUS_NOTIFIER_API_URL: stack.apiUrl, STATUS_NOTIFIER_API_KEY: LOCAL_DEFAULTS.ADMIN_API_KEY },
      },
    );
    const importSeconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`import failed (${run.code}): ${run.stderr || run.stdout}`);
    const report = JSON.parse(run.stdout) as { imported: number };
    if (report.imported !== count) throw new Error(`imported ${report.imported} of ${count}`);
    log(`import: ${importSeconds.toFixed(1)} s (${Math.round(count / importSeconds)} rows/s)`);

    const target = Math.floor(count / 2) + 3;
    const exactAddress = benchEmail(target);
    const domain = exactAddress.slice(exactAddress.indexOf('@'));
    const searches = {
      exact: { email: exactAddress, check: (email: string) => email === exactAddress },
      domain: { email: domain, check: (email: string) => email.endsWith(domain) },
      prefix: { email: 'ali', check: (email: string) => email.startsWith('ali') },
    };
    const searchMs = { exact: 0, domain: 0, prefix: 0 };
    for (const [name, search] of Object.entries(searches) as Array<
      [keyof typeof searches, (typeof searches)[keyof typeof searches]]
    >) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { ms, emails } = await timeSearch(stack.apiUrl, headers, search.email);
        if (emails.length === 0 || !emails.every(search.check)) {
          throw new Error(
            `search ${name} (${search.email}) found ${emails.slice(0, 3).join(', ') || 'nothing'}`,
          );
        }
        times.push(ms);
      }
      searchMs[name] = median(times);
      log(`search ${name} (${search.email}): ${searchMs[name].toFixed(0)} ms (median of ${runs})`);
    }
    return { importSeconds, searchMs };
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Follows cursors until a full page is in hand or the search ends: what a person waits for. */
async function timeSearch(apiUrl: string, headers: Record<string, string>, email: string) {
  const started = performance.now();
  const emails: string[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ email, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${apiUrl}/v1/admin/subscribers?${query}`, { headers });
    if (!response.ok)
      throw new Error(`search ${email} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { items: Array<{ email: string }>; cursor?: string };
    emails.push(...page.items.map((item) => item.email));
    cursor = page.cursor;
  } while (cursor && emails.length < PAGE_SIZE);
  return { ms: performance.now() - started, emails };
}

/** Runs node (this one) with `args` from the repository root; stderr lines go to `onStderr` as they come. */
function spawnNode(
  args: string[],
  options: { env: Record<string, string>; onStderr?: ((line: string) => void) | undefined },
) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => {
      stdout += data;
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      options.onStderr?.(line);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '100000' },
      chunk: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '5' },
      child: { type: 'boolean', default: false },
    },
  });
  const options = {
    subscribers: Number(values.subscribers),
    chunk: Number(values.chunk),
    runs: Number(values.runs),
  };
  if (values.child) {
    // Progress on stderr, the figures alone on stdout.
    console.log(JSON.stringify(await measureHere(options, (line) => console.error(line))));
  } else {
    console.log(JSON.stringify(await measureSupport({ ...options, log: (line) => console.log(line) })));
  }
}
