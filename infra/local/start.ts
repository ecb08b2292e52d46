import { join } from 'node:path';
import { z } from 'zod';
import { LOCAL_DEFAULTS, startLocalStack } from './stack';

/** `npm start`: the whole system on this machine. Configuration by environment, with laptop defaults. */
const Config = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  ADMIN_API_KEY: z.string().min(16).default(LOCAL_DEFAULTS.ADMIN_API_KEY),
  WEBHOOK_TOKEN: z.string().min(16).default(LOCAL_DEFAULTS.WEBHOOK_TOKEN),
  PUBLIC_BASE_URL: z.url().optional(),
  MAIL_FROM: z.email().default(LOCAL_DEFAULTS.MAIL_FROM),
  SUBSCRIBE_EMBED_ORIGINS: z.string().optional(),
});

async function main() {
  const parsed = Config.safeParse(process.env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const stack = await startLocalStack({
    apiPort: config.PORT,
    dynamodb: { port: config.DYNAMODB_PORT },
    ses: { port: config.SES_PORT },
    failureLog: join(process.cwd(), '.local', 'failed-batches.jsonl'),
    env: {
      ADMIN_API_KEY: config.ADMIN_API_KEY,
      WEBHOOK_TOKEN: config.WEBHOOK_TOKEN,
      MAIL_FROM: config.MAIL_FROM,
      ...(config.PUBLIC_BASE_URL ? { PUBLIC_BASE_URL: config.PUBLIC_BASE_URL } : {}),
      ...(config.SUBSCRIBE_EMBED_ORIGINS ? { SUBSCRIBE_EMBED_ORIGINS: config.SUBSCRIBE_EMBED_ORIGINS } : {}),
    },
  });

  console.log(`
status-notifier is running locally

  Subscribe page       ${stack.apiUrl}/subscribe  (import a page's components first, see the README)
  Support console      ${stack.apiUrl}/console  (sign in with the admin API key below)
  API                  ${stack.apiUrl}  (health: ${stack.apiUrl}/v1/health)
  Statuspage webhook   POST ${stack.apiUrl}/v1/webhooks/statuspage/${config.WEBHOOK_TOKEN}
  Admin API            ${stack.apiUrl}/v1/admin/...  with  Authorization: Bearer ${config.ADMIN_API_KEY}
  Sent mail (inbox)    ${stack.sesEndpoint}/
  DynamoDB Local       ${stack.dynamodbEndpoint}  (tables: ${Object.values(stack.tables).join(', ')})
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

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
