import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LOCAL_DEFAULTS, startLocalStack } from './stack';

/** What the local stack keeps between runs: failed batches, stream positions, the link secret. */
const STATE_DIR = join(process.cwd(), '.local');

/** `npm start`: the whole system on this machine. Configuration by environment, with laptop defaults. */
const Config = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  RECEIVER_PORT: z.coerce.number().int().min(0).max(65535).default(8010),
  ADMIN_API_KEY: z.string().min(16).default(LOCAL_DEFAULTS.ADMIN_API_KEY),
  WEBHOOK_TOKEN: z.string().min(16).default(LOCAL_DEFAULTS.WEBHOOK_TOKEN),
  PUBLIC_BASE_URL: z.url().optional(),
  MAIL_FROM: z.email().default(LOCAL_DEFAULTS.MAIL_FROM),
  SUBSCRIBE_EMBED_ORIGINS: z.string().optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  DATA_DIR: z.string().min(1).optional(),
  LINK_SIGNING_SECRET: z.string().min(32).optional(),
  CHANNEL_SEALING_SECRET: z.string().min(32).optional(),
  /** On empty tables, import the demo page so that /subscribe works at once; `false` starts empty. */
  DEMO_PAGE: z.enum(['true', 'false']).default('true'),
});

/** The demo page: Kustomer's components with its two regions, the same page the tests use. */
const DEMO_CATALOG = new URL('../../test/fixtures/components.json', import.meta.url);

async function main() {
  const parsed = Config.safeParse(process.env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  if (config.DATA_DIR && config.DYNAMODB_ENDPOINT) {
    throw new Error(
      'DATA_DIR keeps the data of the DynamoDB Local npm start runs; with DYNAMODB_ENDPOINT, that one keeps its own: set one or the other',
    );
  }
  const stack = await startLocalStack({
    apiPort: config.PORT,
    dynamodb: config.DYNAMODB_ENDPOINT
      ? { endpoint: config.DYNAMODB_ENDPOINT }
      : { port: config.DYNAMODB_PORT, ...(config.DATA_DIR ? { dataDir: config.DATA_DIR } : {}) },
    ses: config.SES_ENDPOINT ? { endpoint: config.SES_ENDPOINT } : { port: config.SES_PORT },
    failureLog: join(STATE_DIR, 'failed-batches.jsonl'),
    checkpointFile: join(STATE_DIR, 'stream-checkpoints.json'),
    schedules: true,
    receiverPort: config.RECEIVER_PORT,
    env: {
      LINK_SIGNING_SECRET: config.LINK_SIGNING_SECRET ?? (await localSecret('link-signing-secret')),
      // Webhooks kept across restarts must still be readable.
      CHANNEL_SEALING_SECRET: config.CHANNEL_SEALING_SECRET ?? (await localSecret('channel-sealing-secret')),
      ADMIN_API_KEY: config.ADMIN_API_KEY,
      WEBHOOK_TOKEN: config.WEBHOOK_TOKEN,
      MAIL_FROM: config.MAIL_FROM,
      ...(config.PUBLIC_BASE_URL ? { PUBLIC_BASE_URL: config.PUBLIC_BASE_URL } : {}),
      ...(config.SUBSCRIBE_EMBED_ORIGINS ? { SUBSCRIBE_EMBED_ORIGINS: config.SUBSCRIBE_EMBED_ORIGINS } : {}),
    },
  });

  const catalog = await demoCatalog(stack.apiUrl, config);

  console.log(`
status-notifier is running locally

  Subscribe page       ${stack.apiUrl}/subscribe  (${catalog})
  Feeds                ${stack.apiUrl}/feeds/<pageId>.atom  (.rss, .json, .ics; linked from the subscribe page)
  Support console      ${stack.apiUrl}/console  (sign in with the admin API key below)
  API                  ${stack.apiUrl}  (health: ${stack.apiUrl}/v1/health)
  Webhooks             POST ${stack.apiUrl}/v1/webhooks/statuspage/${config.WEBHOOK_TOKEN}
                       (instatus or betterstack in place of statuspage for those vendors)
  Incident API         ${stack.apiUrl}/v1/incidents  with the admin API key
  Admin API            ${stack.apiUrl}/v1/admin/...  with  Authorization: Bearer ${config.ADMIN_API_KEY}
  Sent mail (inbox)    ${stack.sesEndpoint}/
  Webhook receiver     ${stack.receiver.url}/  (webhook URLs: ${stack.receiver.url}/hooks/<any name>)
  DynamoDB Local       ${stack.dynamodbEndpoint}  (tables: ${Object.values(stack.tables).join(', ')}; ${dataNote(config)})
  Failed batches       .local/failed-batches.jsonl  (replay them: curl -X POST ${stack.apiUrl}/_local/redrive)

Ctrl-C stops everything.`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

/**
 * The secret that signs the links in mails, kept in .local: data kept across restarts (DATA_DIR, or a
 * DynamoDB Local of one's own) would otherwise come back with every manage link in old mails dead.
 */
async function localSecret(name: string): Promise<string> {
  const file = join(STATE_DIR, name);
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved.length >= 32) return saved;
  const secret = randomBytes(32).toString('base64url');
  await mkdir(STATE_DIR, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The catalog's state in words, after importing the demo page into an empty one (unless DEMO_PAGE=false):
 * a newcomer's first /subscribe shows a page to subscribe to, not "No status page is set up yet".
 */
async function demoCatalog(apiUrl: string, config: z.infer<typeof Config>): Promise<string> {
  const { pages } = (await (await fetch(`${apiUrl}/v1/catalog`)).json()) as { pages: { name: string }[] };
  if (pages.length > 0) return `pages: ${pages.map((page) => page.name).join(', ')}`;
  if (config.DEMO_PAGE === 'false') return "no page yet: import a page's components first, see the README";
  const document = JSON.parse(await readFile(DEMO_CATALOG, 'utf8')) as { page: { id: string; name: string } };
  const imported = await fetch(`${apiUrl}/v1/admin/pages/${document.page.id}/components`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${config.ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(document),
  });
  if (!imported.ok)
    throw new Error(`importing the demo page failed: ${imported.status} ${await imported.text()}`);
  return `demo page ${document.page.name} (${document.page.id}) imported into the empty catalog; DEMO_PAGE=false starts empty`;
}

function dataNote(config: z.infer<typeof Config>): string {
  if (config.DYNAMODB_ENDPOINT) return 'yours: tables created only if missing';
  return config.DATA_DIR ? `data kept in ${config.DATA_DIR}` : 'in memory: set DATA_DIR to keep data';
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
