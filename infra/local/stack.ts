import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { sdkLogger } from '../../shared/adapters/sdk-logger';
import { ENV, type EnvName } from '../../shared/env';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../functions';
import { type ApiServer, type LocalRoute, startApiServer } from './api-server';
import { LOCAL_REGION, localCredentials } from './aws-local';
import { readerKey, StreamCheckpoints } from './checkpoints';
import { type RunningService, startDynamoDbLocal } from './dynamodb-local';
import { type LambdaHandler, lambdaContext } from './lambda-context';
import { redriveFailedBatches } from './redrive';
import { startSesLocal } from './ses-local';
import { StreamPoller } from './stream-poller';
import { createTables, type TableNames } from './tables';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  apiPort: number;
  /** Use a running DynamoDB Local, or start one on this port (keeping its data in `dataDir` if given). */
  dynamodb: { endpoint: string } | { port: number; dataDir?: string };
  /** Use a running SES emulator, or start one on this port. */
  ses: { endpoint: string } | { port: number };
  /** Prefixes every table name, so several stacks can share one DynamoDB Local. */
  tablePrefix?: string;
  /** Values for the functions' environment (secrets, sender address); defaults suit a laptop. */
  env?: Partial<Record<EnvName, string>>;
  /** Where batches that keep failing are appended for redrive. */
  failureLog?: string;
  /** Where the stream pollers keep their positions, so that a restart resumes where the last run stopped. */
  checkpointFile?: string;
  /** Run scheduled functions on their schedule (as EventBridge would); off, they run only when asked. */
  schedules?: boolean;
  /** Batches of a stream shard handled at once, at most (the sources' parallelization otherwise). */
  maxParallelization?: number;
  /** The local webhook receiver's port (0: any free one). */
  receiverPort?: number;
}

export interface LocalStack {
  apiUrl: string;
  /** The local webhook receiver: endpoints under `<url>/hooks/`, what they received at `<url>/`. */
  receiver: WebhookReceiver;
  dynamodbEndpoint: string;
  sesEndpoint: string;
  tables: TableNames;
  env: Partial<Record<EnvName, string>>;
  pollers: Record<string, StreamPoller>;
  /** Resolves once every stream has been read to its end and nothing is in flight. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Replays the batches set aside in the failure log through the same handlers. */
  redrive(): Promise<{ replayed: number; stillFailing: number }>;
  /** Invokes a scheduled function now, as its schedule would. */
  runScheduled(name: FunctionName): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Four batches of a shard at once rather than the ten of AWS. A sender waits most of its time on the
 * delivery records of its last bulk call, and DynamoDB Local answers more requests in flight faster: its
 * HTTP threads parse while its one SQLite thread writes (the benchmark's floor writes 50,000 records in
 * 11 s at eight in flight, 19 s at one). With two senders its SQLite thread idled half the time; eight
 * were no faster than four on two cores, and cost more invocations, each with its own reads.
 */
export const LOCAL_MAX_PARALLELIZATION = 4;

export const LOCAL_DEFAULTS = {
  WEBHOOK_TOKEN: 'local-webhook-token',
  ADMIN_API_KEY: 'local-admin-api-key',
  MAIL_FROM: 'status@notifier.example.com',
} as const;

/**
 * The whole system on one machine: DynamoDB Local, the SES emulator, the HTTP API and the stream pollers,
 * all driving the same handlers that run in Lambda. Only endpoints differ from AWS.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const dynamodbChoice = options.dynamodb;
    const dynamodb = await provide(
      dynamodbChoice,
      (port) => startDynamoDbLocal(port, 'dataDir' in dynamodbChoice ? dynamodbChoice.dataDir : undefined),
      started,
    );
    const ses = await provide(options.ses, startSesLocal, started);
    const receiver = await startWebhookReceiver(options.receiverPort ?? 0);
    started.push(receiver);
    let routes: LocalRoute[] | undefined;
    let redrive = async () => ({ replayed: 0, stillFailing: 0 });
    const api: ApiServer = await startApiServer(options.apiPort, () => routes, {
      'POST /_local/redrive': () => redrive(),
    });
    started.push(api);

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    });
    const tables = await createTables(dynamoClient, options.tablePrefix ?? '');
    const env = {
      [ENV.SUBSCRIBERS_TABLE]: tables.subscribers,
      [ENV.INCIDENTS_TABLE]: tables.incidents,
      [ENV.DELIVERIES_TABLE]: tables.deliveries,
      [ENV.CATALOG_TABLE]: tables.catalog,
      [ENV.WEBHOOK_TOKEN]: LOCAL_DEFAULTS.WEBHOOK_TOKEN,
      [ENV.ADMIN_API_KEY]: LOCAL_DEFAULTS.ADMIN_API_KEY,
      [ENV.MAIL_FROM]: LOCAL_DEFAULTS.MAIL_FROM,
      [ENV.LINK_SIGNING_SECRET]: randomBytes(32).toString('base64url'),
      [ENV.CHANNEL_SEALING_SECRET]: randomBytes(32).toString('base64url'),
      [ENV.PUBLIC_BASE_URL]: api.url,
      [ENV.ADMIN_API_URL]: api.url,
      // Local receivers stand in for customers' endpoints.
      [ENV.CHANNELS_ALLOW_LOOPBACK]: 'true',
      ...options.env,
    };
    // The handlers read their configuration at import, as at a Lambda cold start.
    Object.assign(process.env, env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      // CloudWatch metrics (embedded in the log) are noise on a terminal; POWERTOOLS_METRICS_DISABLED=false
      // prints them.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });

    const handlers = await loadHandlers();
    const streamsClient = new DynamoDBStreamsClient({
      logger: sdkLogger,
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    });
    if (options.failureLog) await mkdir(dirname(options.failureLog), { recursive: true });
    const streamSpecs = (Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>).flatMap(
      ([name, spec]) => (spec.stream ? [{ name, spec, stream: spec.stream }] : []),
    );
    const streamArns = await Promise.all(
      streamSpecs.map(async ({ stream }) => {
        const { Table } = await dynamoClient.send(
          new DescribeTableCommand({ TableName: tables[stream.table] }),
        );
        return Table?.LatestStreamArn ?? '';
      }),
    );
    const checkpoints = options.checkpointFile
      ? await StreamCheckpoints.load(
          options.checkpointFile,
          streamSpecs.map(({ name }, index) => readerKey(streamArns[index] ?? '', name)),
        )
      : undefined;
    const pollers: Record<string, StreamPoller> = {};
    for (const [index, { name, spec, stream }] of streamSpecs.entries()) {
      const poller = new StreamPoller({
        functionName: name,
        streamArn: streamArns[index] ?? '',
        source: stream,
        client: streamsClient,
        handler: handlers[name],
        timeoutSeconds: spec.timeoutSeconds,
        maxParallelization: options.maxParallelization ?? LOCAL_MAX_PARALLELIZATION,
        ...(options.failureLog ? { failureLog: options.failureLog } : {}),
        ...(checkpoints ? { checkpoints } : {}),
      });
      await poller.start();
      started.push(poller);
      pollers[name] = poller;
    }
    started.push({
      stop: async () => {
        await checkpoints?.flush();
        dynamoClient.destroy();
        streamsClient.destroy();
      },
    });

    routes = (Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>).flatMap(([name, spec]) =>
      (spec.routes ?? []).map((route) => ({
        ...route,
        functionName: name,
        handler: handlers[name],
        timeoutSeconds: spec.timeoutSeconds,
      })),
    );

    const runScheduled = (name: FunctionName) =>
      handlers[name]({}, lambdaContext(name, functionSpecs[name].timeoutSeconds));
    for (const [name, spec] of Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>) {
      if (!spec.schedule || !options.schedules) continue;
      let running = false;
      const timer = setInterval(() => {
        if (running) return; // EventBridge would overlap runs; the handlers allow it, the logs read better without
        running = true;
        runScheduled(name)
          .catch((error: unknown) => console.error(`[${name}] scheduled run failed: ${String(error)}`))
          .finally(() => {
            running = false;
          });
      }, spec.schedule.everyMinutes * 60_000);
      started.push({ stop: async () => clearInterval(timer) });
    }

    const failureLog = options.failureLog;
    if (failureLog) redrive = () => redriveFailedBatches(failureLog, handlers);

    return {
      apiUrl: api.url,
      receiver,
      dynamodbEndpoint: dynamodb.endpoint,
      sesEndpoint: ses.endpoint,
      tables,
      env,
      pollers,
      waitForIdle: (timeoutMs = 30_000) => waitForIdle(Object.values(pollers), timeoutMs),
      redrive: () => redrive(),
      runScheduled,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function provide(
  choice: { endpoint: string } | { port: number },
  start: (port: number) => Promise<RunningService>,
  started: Array<{ stop(): Promise<void> }>,
): Promise<{ endpoint: string }> {
  if ('endpoint' in choice) return choice;
  const service = await start(choice.port);
  started.push(service);
  return service;
}

async function loadHandlers(): Promise<Record<FunctionName, LambdaHandler>> {
  const entries = await Promise.all(
    (Object.entries(functionSpecs) as Array<[FunctionName, FunctionSpec]>).map(async ([name, spec]) => {
      const module = (await import(pathToFileURL(join(ROOT, spec.entry)).href)) as { handler: LambdaHandler };
      return [name, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<FunctionName, LambdaHandler>;
}

async function waitForIdle(pollers: StreamPoller[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  // Idle twice in a row, a poll apart: a record written by one stage's handler reaches the next stage's stream.
  while (quietRounds < 3) {
    if (Date.now() > deadline) throw new Error(`streams still busy after ${timeoutMs} ms`);
    quietRounds = pollers.every((poller) => poller.idle) ? quietRounds + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
