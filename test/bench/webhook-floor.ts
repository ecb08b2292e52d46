import { Agent, request } from 'node:http';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { incidentEventV1 } from '../../shared/domain/webhook-events';
import { signatureHeaders } from '../../shared/domain/webhook-signing';
import { chatMessagesMayFail, incidentWebhook } from '../fixtures/seeds';

/**
 * The least any design must do to tell N endpoints of one update: N signed POSTs of the real v1 event,
 * each with its own id and signature, from a bare client (a keep-alive agent, as the deliverer's) with
 * `concurrency` in flight. Seconds from the first to the last answer.
 */
export async function measureWebhookFloor(
  urls: readonly string[],
  options: { concurrency: number; secret: string },
): Promise<number> {
  const plan = planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, 1)));
  const update = plan.updates.at(-1);
  if (!update) throw new Error('the seed incident has no update');
  const agent = new Agent({ keepAlive: true });
  const post = (url: string, n: number) => {
    const now = new Date();
    const eventId = `evt_floor${n}`;
    const body = JSON.stringify(
      incidentEventV1({
        eventId,
        at: now,
        page: { id: plan.incident.pageId, name: 'Floor' },
        incident: plan.incident,
        update,
        updates: plan.updates,
        components: [{ id: 'cmpchatus001', name: 'Channel - Chat', region: 'Prod1 (US)' }],
        links: { manageUrl: `${url}/manage`, unsubscribeUrl: `${url}/unsubscribe` },
      }),
    );
    const headers = signatureHeaders([options.secret], { id: eventId, timestamp: now, body });
    return new Promise<void>((resolve, reject) => {
      const sent = request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json' } },
        (answer) => {
          answer.resume();
          answer.on('end', () => (answer.statusCode === 204 ? resolve() : reject(new Error('not 204'))));
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < urls.length) {
        const n = next++;
        await post(urls[n] ?? '', n);
      }
    }),
  );
  agent.destroy();
  return (performance.now() - started) / 1000;
}
