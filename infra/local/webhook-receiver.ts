import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from '../../shared/templates/html';

/*
 * The local stack's stand-in for customers' endpoints, as the SES emulator is for inboxes: it takes any
 * POST under /hooks/ (a webhook URL of your own: http://127.0.0.1:<port>/hooks/<name>), answers 204, and
 * lists what it received on its page, newest first, with the Standard Webhooks headers and the body.
 * A verification event's confirm link is a link there. It stands in for chat platforms too (a Slack,
 * Teams, Discord or Google Chat URL of your own under /hooks/): their messages are shown as the platform
 * would lay them out, title, fields, text and links. `GET /received` answers the same as JSON.
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
    const chat = chatMessageOf(event);
    const confirm =
      typeof event?.data?.confirm_url === 'string'
        ? event.data.confirm_url
        : chat?.links.find((l) => l.label === 'Confirm')?.href;
    const title = chat
      ? `${chat.platform} message`
      : (event?.type ?? (event?.incident ? 'Statuspage webhook' : 'POST'));
    return html`<article><h2>${title} <small>${item.path}</small></h2>
<p><time datetime="${item.receivedAt}">${item.receivedAt.replace('T', ' ').slice(0, 19)} UTC</time> · webhook-id <code>${item.headers['webhook-id'] ?? 'none'}</code></p>
${confirm ? html`<p><a href="${confirm}">Open the confirm link</a></p>` : ''}
${chat ? html`<section class="chat"><h3>${readable(chat.title)}</h3>${chat.lines.map((line) => html`<p>${readable(line)}</p>`)}${chat.links.length ? html`<p>${chat.links.map((l, n) => html`${n ? ' · ' : ''}<a href="${safeLink(l.href)}">${l.label}</a>`)}</p>` : ''}</section>` : ''}
<details><summary>Headers and body</summary><pre>${Object.entries(item.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n')}\n\n${pretty(item.body)}</pre></details></article>`;
  });
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Local webhook receiver</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}.chat{border-left:4px solid #6366f1;padding:0 .75rem;margin:.5rem 0}.chat h3{margin:.25rem 0}.chat p{margin:.25rem 0;white-space:pre-wrap}article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap;word-break:break-all;background:#f3f4f6;padding:.75rem}small{font-weight:normal;color:#4b5563}</style></head>
<body><main><h1>Local webhook receiver</h1>
<p>Give <code>${url}/hooks/&lt;any name&gt;</code> as a webhook URL: what it receives is listed here, newest first.</p>
${items.length ? items : html`<p>Nothing received yet.</p>`}</main></body></html>`.value;
}

/** A chat platform's message as its platform lays it out: title, lines of fields and text, and links. */
interface ChatView {
  platform: string;
  title: string;
  lines: string[];
  links: Array<{ label: string; href: string }>;
}

// biome-ignore lint/suspicious/noExplicitAny: a platform's message, read as loosely as the platform reads it
type Loose = any;

function chatMessageOf(message: Loose): ChatView | undefined {
  if (!message || typeof message !== 'object') return undefined;
  const markdownLinks = (text: string) =>
    [...text.matchAll(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g)].map((m) => ({
      label: m[1] ?? '',
      href: m[2] ?? '',
    }));
  if (Array.isArray(message.blocks)) {
    const lines: string[] = [];
    const links: ChatView['links'] = [];
    for (const block of message.blocks) {
      if (block.text?.type === 'mrkdwn') lines.push(block.text.text);
      for (const field of block.fields ?? []) lines.push(field.text);
      for (const element of block.elements ?? []) {
        if (element.type === 'button') links.push({ label: element.text?.text ?? '', href: element.url });
        if (element.type === 'mrkdwn') lines.push(element.text);
      }
    }
    const title = message.blocks.find((b: Loose) => b.type === 'header')?.text?.text ?? message.text;
    return { platform: 'Slack', title, lines, links };
  }
  const card = message.attachments?.[0]?.content;
  if (card?.type === 'AdaptiveCard') {
    const lines: string[] = [];
    for (const element of card.body ?? []) {
      if (element.type === 'TextBlock') lines.push(element.text);
      for (const fact of element.facts ?? []) lines.push(`${fact.title}: ${fact.value}`);
    }
    const links = (card.actions ?? []).map((a: Loose) => ({ label: a.title, href: a.url }));
    return {
      platform: 'Microsoft Teams',
      title: lines[1] ?? 'Card',
      lines: lines.slice(2),
      links: [...links, ...lines.flatMap(markdownLinks)],
    };
  }
  const embed = message.embeds?.[0];
  if (embed) {
    const fields = (embed.fields ?? []).map((f: Loose) => `${f.name}: ${f.value}`);
    return {
      platform: 'Discord',
      title: embed.title ?? '',
      lines: [embed.description ?? '', ...fields],
      links: [
        ...(embed.url ? [{ label: 'Title link', href: embed.url }] : []),
        ...fields.flatMap(markdownLinks),
      ],
    };
  }
  const chat = message.cardsV2?.[0]?.card;
  if (chat) {
    const widgets = (chat.sections ?? []).flatMap((s: Loose) => s.widgets ?? []);
    return {
      platform: 'Google Chat',
      title: chat.header?.title ?? message.text ?? '',
      lines: [
        chat.header?.subtitle ?? '',
        ...widgets.flatMap((w: Loose) =>
          w.textParagraph
            ? [w.textParagraph.text]
            : w.decoratedText
              ? [`${w.decoratedText.topLabel}: ${w.decoratedText.text}`]
              : [],
        ),
        `Thread: ${message.thread?.threadKey ?? 'none'}`,
      ],
      links: widgets.flatMap((w: Loose) =>
        (w.buttonList?.buttons ?? []).map((b: Loose) => ({ label: b.text, href: b.onClick?.openLink?.url })),
      ),
    };
  }
  return undefined;
}

/**
 * A platform's markup as its app shows it: links by their labels, escapes and emphasis markers dropped,
 * entities decoded. The page escapes the result again.
 */
const readable = (text: string) =>
  text
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/\[([^\]]+)\]\u200B?\((https?:[^)\s]+)\)/g, '$1')
    .replace(/\\([^\w\s])/g, '$1')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/<br>/g, '\n')
    .replace(/&(lt|#60);/g, '<')
    .replace(/&(gt|#62);/g, '>')
    .replace(/&(quot|#34);/g, '"')
    .replace(/&(#39|apos);/g, "'")
    .replace(/&(amp|#38);/g, '&');

/** Only http(s) links are followed from the page: a message's link may be anything. */
const safeLink = (href: unknown) => (typeof href === 'string' && /^https?:\/\//.test(href) ? href : '#');

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
