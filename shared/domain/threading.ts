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
  // A page name is the page owner's text: bounded, so the header stays well within SES's limits.
  // Cut on a whole character: half an emoji would be encoded as U+FFFD.
  const shortName =
    pageName && pageName.length > 60 ? `${pageName.slice(0, 59).replace(/[\uD800-\uDBFF]$/, '')}…` : pageName;
  const name = shortName && pageName !== pageId ? `${encodeWord(`${shortName} status`)} ` : '';
  return { name: 'List-Id', value: `${name}<${id}>` };
}

/**
 * A header phrase as RFC 2047 allows: plain when it is printable ASCII without specials, quoted when it
 * has specials, else encoded words (UTF-8, base64) of at most 75 characters each, split on character
 * boundaries. No client can read any of it as a line break, another header or an encoded word it is not.
 */
export function encodeWord(text: string): string {
  const clean = text.replace(/\p{Cc}+/gu, ' ').trim();
  const ascii = /^[\x20-\x7e]*$/.test(clean) && !clean.includes('=?');
  if (ascii && !/["\\()<>@,;:[\]]/.test(clean)) return clean;
  if (ascii) return `"${clean.replace(/["\\]/g, '\\$&')}"`;
  const words: string[] = [];
  let current = '';
  for (const char of clean) {
    // 45 bytes of UTF-8 encode to 60 base64 characters: with the =?UTF-8?B? ?= frame, within 75.
    if (Buffer.byteLength(current + char) > 45) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  words.push(current);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
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
