import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import sesEmulator from 'aws-ses-v2-local';
import type { RunningService } from './dynamodb-local';

/** What the emulator's GetAccount answers: a production account whose rate does not slow a laptop down. */
const LOCAL_ACCOUNT = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: 'EN',
    MailType: 'TRANSACTIONAL',
    ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
    UseCaseDescription: 'status-notifier local stack',
    WebsiteURL: 'http://127.0.0.1',
  },
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: 1000, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: [] },
};

/**
 * Starts the SES v2 emulator in this process; its web page at `/` shows every mail sent. `maxSendRate`
 * sets the account's rate that GetAccount answers (the senders pace themselves to it), for a run that
 * must not be bounded by it: the benchmark, which compares the pipeline's own work against a floor that
 * has no rate to keep.
 */
export async function startSesLocal(
  port: number,
  { maxSendRate }: { maxSendRate?: number } = {},
): Promise<RunningService> {
  if (maxSendRate)
    process.env.AWS_SES_ACCOUNT = JSON.stringify({
      ...LOCAL_ACCOUNT,
      SendQuota: { ...LOCAL_ACCOUNT.SendQuota, MaxSendRate: maxSendRate },
    });
  process.env.AWS_SES_ACCOUNT ??= JSON.stringify(LOCAL_ACCOUNT);
  // A CommonJS module whose default export lands on `.default` when imported from ESM.
  const start = (sesEmulator as unknown as { default?: typeof sesEmulator }).default ?? sesEmulator;
  const server = await start({ host: '127.0.0.1', port });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A mail as the emulator stores it (the fields tests and benchmarks count by). */
export interface EmulatedMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/**
 * The mail the emulator running in this process has accepted, read in place: its `/store` route copies
 * every mail into one JSON answer, too much to poll while thousands arrive.
 */
export function emulatedMail(): readonly EmulatedMail[] {
  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
    getStoreReadonly(): { emails: EmulatedMail[] };
  };
  return store.getStoreReadonly().emails;
}
