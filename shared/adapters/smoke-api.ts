import type { SmokeApi } from '../usecases/smoke-check';
import { AdminApi } from './admin-api';

const CALL_TIMEOUT_MS = 20_000;

/**
 * The smoke check's view of a deployed stack: its admin API with the bootstrap key, and its Statuspage
 * webhook route with the webhook token, over HTTP like any client.
 */
export function httpSmokeApi(
  baseUrl: string,
  credentials: { adminKey: string; webhookToken: string },
  fetchImpl: typeof fetch = fetch,
): SmokeApi {
  // No call may hang the hook: CodeDeploy would wait an hour for a verdict that never comes.
  const bounded: typeof fetch = (input, init) =>
    fetchImpl(input, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  const admin = new AdminApi(baseUrl, credentials.adminKey, bounded);
  return {
    importComponents: (pageId, document) => admin.importComponents(pageId, document),
    findSubscriberId: async (email) =>
      (await admin.searchSubscribers({ email, limit: 10 })).items.find((s) => s.email === email)?.id,
    createConfirmedSubscriber: async (email, topic) =>
      (await admin.createSubscriber({ email, topics: [topic], confirmed: true, level: 'all' })).id,
    reconfirm: async (subscriberId, topic) => {
      await admin.changeSubscriber(subscriberId, { status: 'confirmed', topics: [topic], level: 'all' });
    },
    pendingRecipients: async () => (await admin.backlog()).pending,
    // Newest first: the smoke incident's delivery is on the first page.
    deliveries: async (subscriberId) => (await admin.deliveries(subscriberId, undefined, 20)).items,
    postStatuspageWebhook: async (body) => {
      const response = await bounded(
        `${baseUrl.replace(/\/+$/, '')}/v1/webhooks/statuspage/${encodeURIComponent(credentials.webhookToken)}`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      );
      const answer = (await response.json().catch(() => ({}))) as {
        incidentId?: string;
        notifying?: string[];
      };
      return {
        status: response.status,
        ...(answer.incidentId ? { incidentId: answer.incidentId } : {}),
        ...(answer.notifying ? { notifying: answer.notifying } : {}),
      };
    },
  };
}
