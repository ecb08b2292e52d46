import { createHash } from 'node:crypto';

/** Mail headers as SES takes them (`Simple.Headers`, bulk `ReplacementHeaders`). */
export interface MailHeader {
  name: string;
  value: string;
}

/**
 * The deterministic id every mail of an incident refers to. SES replaces any Message-ID we set, so the
 * thread is anchored on an id no mail carries but all of them reference, plus the subject.
 */
export function incidentRootId(incidentId: string, domain: string): string {
  const digest = createHash('sha256').update(incidentId).digest('hex').slice(0, 32);
  return `<incident.${digest}@${domain}>`;
}

/** The Message-ID SES gives a mail it accepted. The domain is observed, not documented: keep it configurable. */
export function sesMessageId(messageId: string, sesDomain: string): string {
  return `<${messageId}@${sesDomain}>`;
}

/**
 * In-Reply-To and References for one recipient: the root id, and the first mail that recipient got about
 * the incident once there is one. Every mail of the thread names the same ids, which is what Gmail needs
 * alongside the stable subject; Thunderbird and Apple Mail follow References.
 */
export function threadHeaders(rootId: string, firstMessageId: string | undefined): MailHeader[] {
  const references = firstMessageId ? `${rootId} ${firstMessageId}` : rootId;
  return [
    { name: 'In-Reply-To', value: firstMessageId ?? rootId },
    { name: 'References', value: references },
  ];
}

/** RFC 8058 one-click unsubscribe, which Gmail and Yahoo require of bulk senders. */
export function listUnsubscribeHeaders(unsubscribeUrl: string): MailHeader[] {
  return [
    { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/**
 * RFC 2919 List-Id: one list per status page, named after it, so clients can filter and users can see
 * which page a mail is about.
 */
export function listIdHeader(pageId: string, pageName: string | undefined, domain: string): MailHeader {
  const id = `${pageId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.status.${domain}`;
  const name = pageName && pageName !== pageId ? `${encodeWord(`${pageName} status`)} ` : '';
  return { name: 'List-Id', value: `${name}<${id}>` };
}

/**
 * A header phrase as RFC 2047 allows: plain when it is printable ASCII without specials, else an encoded
 * word (UTF-8, base64) that no client can read as a line break or another header.
 */
export function encodeWord(text: string): string {
  const clean = text.replace(/[\p{Cc}]+/gu, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(clean) && !/["\\()<>@,;:[\]]/.test(clean)) return clean;
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/["\\]/g, '\\$&')}"`;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** Last line of defence against header injection: a header value never carries a line break. */
export function assertHeaderSafe(headers: readonly MailHeader[]): MailHeader[] {
  for (const header of headers) {
    if (/[\r\n\0]/.test(header.name) || /[\r\n\0]/.test(header.value)) {
      throw new Error(`header ${JSON.stringify(header.name)} contains a line break`);
    }
  }
  return [...headers];
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? address : address.slice(at + 1);
}
