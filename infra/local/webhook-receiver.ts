import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from '../../shared/templates/html';

/*
 * The local stack's stand-in for customers' endpoints, as the SES emulator is for inboxes: it takes any
 * POST under /hooks/ (a webhook URL of your own: http://127.0.0.1:<port>/hooks/<name>), answers 204, and
 * lists what it received on its page, newest first, with the Standard Webhooks headers and the body.
 * A verification event's confirm link is a link there. `GET /received` answers the same as JSON.
 */

export interface ReceivedWebhook {
  path: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  stop(): Promise<void>;
}

/** Requests kept: the oldest go first. */
const KEPT = 500;

export async function startWebhookReceiver(port: number): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'POST' && path.startsWith('/hooks/')) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).flatMap(([name, value]) =>
            name.startsWith('webhook-') || name === 'content-type' || name === 'user-agent'
              ? [[name, String(value)]]
              : [],
          ),
        );
        received.unshift({
          path,
          receivedAt: new Date().toISOString(),
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        received.splice(KEPT);
        response.writeHead(204).end();
      });
      return;
    }
    if (request.method === 'GET' && path === '/received') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (request.method === 'GET' && path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(receiverPage(received, `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('POST to /hooks/<name>; GET / lists them');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Each POST: where to, when, its event type and id, its confirm link if any, and its body. */
function receiverPage(received: readonly ReceivedWebhook[], url: string): string {
  const items = received.map((item) => {
    const event = parsed(item.body);
    const confirm = typeof event?.data?.confirm_url === 'string' ? event.data.confirm_url : undefined;
    const title = event?.type ?? (event?.incident ? 'Statuspage webhook' : 'POST');
    return html`<article><h2>${title} <small>${item.path}</small></h2>
<p><time datetime="${item.receivedAt}">${item.receivedAt.replace('T', ' ').slice(0, 19)} UTC</time> · webhook-id <code>${item.headers['webhook-id'] ?? 'none'}</code></p>
${confirm ? html`<p><a href="${confirm}">Open the confirm link</a></p>` : ''}
<details><summary>Headers and body</summary><pre>${Object.entries(item.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n')}\n\n${pretty(item.body)}</pre></details></article>`;
  });
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Local webhook receiver</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap;word-break:break-all;background:#f3f4f6;padding:.75rem}small{font-weight:normal;color:#4b5563}</style></head>
<body><main><h1>Local webhook receiver</h1>
<p>Give <code>${url}/hooks/&lt;any name&gt;</code> as a webhook URL: what it receives is listed here, newest first.</p>
${items.length ? items : html`<p>Nothing received yet.</p>`}</main></body></html>`.value;
}

function parsed(
  body: string,
): { type?: string; incident?: unknown; data?: { confirm_url?: unknown } } | undefined {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const pretty = (body: string) => {
  const value = parsed(body);
  return value === undefined ? body : JSON.stringify(value, null, 2);
};
