import { createHash, createHmac } from 'node:crypto';
import { type DeliveryKey, deliveryId } from './delivery';
import * as z from './zod';

/*
 * A subscriber's endpoint: a URL we POST signed events to instead of mailing an address. The URL and
 * its signing secrets are credentials: pages show the URL masked, batches and topic items carry only
 * the endpoint's address (`endpoint:<subscriber id>`), and the store keeps both encrypted.
 */

export const WebhookFormat = z.enum(['v1', 'statuspage']);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/** The chat platforms an endpoint may be: each takes its own messages (see templates/chat). */
export const ChatType = z.enum(['slack', 'teams', 'discord', 'googlechat']);
export type ChatType = z.infer<typeof ChatType>;

/** What an endpoint is POSTed: a webhook's events in its format, or a chat platform's messages. */
export const EndpointFormat = z.enum([...WebhookFormat.options, ...ChatType.options]);
export type EndpointFormat = z.infer<typeof EndpointFormat>;

/** The kinds of channel besides an inbox. */
export const ChannelType = z.enum(['webhook', ...ChatType.options]);
export type ChannelType = z.infer<typeof ChannelType>;

const ChannelUrl = z
  .string()
  .check(z.trim(), z.minLength(1, 'Enter the URL'), z.maxLength(2000, 'at most 2,000 characters'));

/** Where a subscriber wants its updates, besides an inbox: `{ type: "webhook", url, format }`. */
export const WebhookChannelInput = z.object({
  type: z.literal('webhook'),
  url: ChannelUrl,
  format: z._default(WebhookFormat, 'v1'),
});

/** A chat channel: `{ type: "slack" | "teams" | "discord" | "googlechat", url }`, its incoming webhook. */
export const ChatChannelInput = z.object({ type: ChatType, url: ChannelUrl });

export const ChannelInput = z.discriminatedUnion('type', [WebhookChannelInput, ChatChannelInput], {
  error: 'channel.type is one of webhook, slack, teams, discord, googlechat',
});
export type ChannelInput = z.output<typeof ChannelInput>;

/** What the endpoint is POSTed. */
export const formatOf = (channel: ChannelInput): EndpointFormat =>
  channel.type === 'webhook' ? channel.format : channel.type;

/**
 * A body that is an address's subscription or, with `channel`, an endpoint's: told apart by `channel`,
 * its issues those of the schema it is. With neither an address nor a channel, the issue names both.
 */
export function addressOrChannel<A extends z.ZodMiniType, E extends z.ZodMiniType>(address: A, endpoint: E) {
  return z.pipe(
    z.unknown(),
    z.transform((body, ctx): z.output<A> | z.output<E> => {
      const isObject = typeof body === 'object' && body !== null;
      if (isObject && !('channel' in body) && !('email' in body)) {
        z.addIssue(ctx, {
          code: 'custom',
          path: ['email'],
          message: 'give an email address, or a channel (a webhook) to send updates to',
        });
        return z.NEVER;
      }
      const parsed = (isObject && 'channel' in body ? endpoint : address).safeParse(body);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues)
        z.addIssue(ctx, { code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }),
  );
}

/** An endpoint subscriber's channel as its profile holds it: what pages show, never the credential. */
export const ChannelView = z.object({
  type: ChannelType,
  format: EndpointFormat,
  /** The URL with every part that may be a token masked. */
  endpoint: z.string(),
  host: z.string(),
});
export type ChannelView = z.infer<typeof ChannelView>;

const ENDPOINT_ADDRESS = 'endpoint:';
/** The delivery address of an endpoint subscriber, where a mail subscriber's address would be. */
export const endpointAddress = (subscriberId: string) => `${ENDPOINT_ADDRESS}${subscriberId}`;
export const isEndpointAddress = (address: string) => address.startsWith(ENDPOINT_ADDRESS);

/**
 * What makes an endpoint subscriber unique: its URL, keyed with a secret of the deployment, so that the
 * key names no URL. One subscriber per endpoint, as one per address.
 */
export function endpointKey(url: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(`endpoint:${new URL(url).href}`)
    .digest('base64url');
}

/** How an endpoint has fared lately: what preferences and the console show, and what quarantines it. */
export const EndpointHealth = z.object({
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
  /** The first failure of the current run of failures. */
  failingSince: z.optional(z.string()),
  lastSuccessAt: z.optional(z.string()),
  lastFailureAt: z.optional(z.string()),
  /** No more POSTs until its owner resumes it; events meanwhile are recorded as skipped. */
  quarantinedAt: z.optional(z.string()),
  quarantineReason: z.optional(z.string()),
  /**
   * Since it last took longer than a first try allows (FIRST_TRY_TIMEOUT_MS): its first tries get the
   * whole timeout. Cleared by a quick answer.
   */
  slowSince: z.optional(z.string()),
});
export type EndpointHealth = z.infer<typeof EndpointHealth>;

export const HEALTHY: EndpointHealth = { consecutiveFailures: 0 };

/** A signing secret and when it was made: the older one is dropped 24 hours after a rotation. */
export const SigningSecret = z.object({ secret: z.string(), createdAt: z.string() });

/** An endpoint as the deliverer uses it, its credentials decrypted by the store. */
export const Endpoint = z.object({
  subscriberId: z.string(),
  url: z.string(),
  format: EndpointFormat,
  /** Newest first; every one of them signs. */
  secrets: z.array(SigningSecret).check(z.minLength(1)),
  health: EndpointHealth,
  /** A Discord forum's posts, one per incident: the thread each incident's messages go to. */
  threads: z.optional(z.record(z.string(), z.string())),
});
export type Endpoint = z.infer<typeof Endpoint>;

/** Incidents whose forum post an endpoint remembers: the newest; an older incident's next update opens a new one. */
export const THREADS_KEPT = 50;

/**
 * Secrets that still sign at `now`: the newest, and each older one until a day after the secret that
 * replaced it was made (two rotations in a day keep all three signing).
 */
export function signingSecrets(endpoint: Pick<Endpoint, 'secrets'>, now: Date): string[] {
  const graceMs = ROTATION_GRACE_HOURS * 3_600_000;
  return endpoint.secrets.flatMap((secret, index) => {
    const replacedBy = endpoint.secrets[index - 1];
    return !replacedBy || now.getTime() < Date.parse(replacedBy.createdAt) + graceMs ? [secret.secret] : [];
  });
}
export const ROTATION_GRACE_HOURS = 24;

/** The event id of one endpoint's delivery of one update: every retry of it carries the same `webhook-id`. */
export function eventId(key: DeliveryKey): string {
  return `evt_${createHash('sha256').update(deliveryId(key)).digest('base64url').slice(0, 26)}`;
}

/**
 * When to try a failed delivery again: 30 s, 2 min, 10 min, 1 h, then hourly, each with a fifth of
 * jitter either way, and no sooner than the endpoint asked (`Retry-After`, up to six hours). Undefined
 * once a day has passed since the first attempt: the delivery has failed.
 */
export function nextAttemptAt(input: {
  failedAttempts: number;
  firstAttemptAt: Date;
  now: Date;
  random: () => number;
  retryAfterSeconds?: number;
}): Date | undefined {
  const { failedAttempts, firstAttemptAt, now } = input;
  if (now.getTime() - firstAttemptAt.getTime() >= RETRY_FOR_HOURS * 3_600_000) return undefined;
  const base = RETRY_DELAYS_SECONDS[failedAttempts - 1] ?? 3_600;
  const jittered = base * (0.8 + 0.4 * input.random());
  const asked = Math.min(input.retryAfterSeconds ?? 0, 6 * 3_600);
  return new Date(now.getTime() + Math.round(Math.max(jittered, asked) * 1000));
}
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3_600];
export const RETRY_FOR_HOURS = 24;

/** Failures in a row, over at least a day, that quarantine an endpoint (a 410 does at once). */
export const QUARANTINE_FAILURES = 30;

/**
 * The time a delivery's first try to an endpoint not known to be slow has to connect and answer: most
 * answer in well under a second. One that does not is cut off and tried again, with the same
 * `webhook-id`, with the whole timeout, and counts as slow from then on: so a hanging endpoint holds up
 * the deliveries handled with it for this long, not for the whole timeout.
 */
export const FIRST_TRY_TIMEOUT_MS = 2_000;
/** The whole time an endpoint has to connect and answer. */
export const ENDPOINT_TIMEOUT_MS = 5_000;

/** The time this try may take, when shorter than the endpoint client's own; undefined: the whole of it. */
export function tryTimeoutMs(health: EndpointHealth, delivery: { attempts: number }): number | undefined {
  return delivery.attempts === 0 && !health.slowSince ? FIRST_TRY_TIMEOUT_MS : undefined;
}

/** What an attempt says of an endpoint's health. */
export type AttemptHealth =
  | { ok: true; at: Date; latencyMs?: number }
  | { ok: false; at: Date; gone?: boolean; reason?: string }
  /** A first try cut off at FIRST_TRY_TIMEOUT_MS: slow, not failed. */
  | { slow: true; at: Date };

/** The endpoint's health after an attempt, quarantined when it said it is gone or kept failing for a day. */
export function healthAfter(health: EndpointHealth, attempt: AttemptHealth): EndpointHealth {
  const at = attempt.at.toISOString();
  if ('slow' in attempt) return { ...health, slowSince: health.slowSince ?? at };
  if (attempt.ok) {
    const { failingSince: _since, slowSince, ...rest } = health;
    const slow = slowSince && !(attempt.latencyMs !== undefined && attempt.latencyMs < FIRST_TRY_TIMEOUT_MS);
    return { ...rest, consecutiveFailures: 0, lastSuccessAt: at, ...(slow ? { slowSince } : {}) };
  }
  const failingSince = health.failingSince ?? at;
  const failures = health.consecutiveFailures + 1;
  const failedForADay = Date.parse(at) - Date.parse(failingSince) >= RETRY_FOR_HOURS * 3_600_000;
  const quarantine = Boolean(attempt.gone) || (failures >= QUARANTINE_FAILURES && failedForADay);
  return {
    ...health,
    consecutiveFailures: failures,
    failingSince,
    lastFailureAt: at,
    ...(quarantine && !health.quarantinedAt
      ? {
          quarantinedAt: at,
          quarantineReason: attempt.gone
            ? (attempt.reason ?? 'the endpoint answered 410 Gone')
            : `${failures} failures in a row since ${failingSince}${attempt.reason ? `, the last: ${attempt.reason}` : ''}`,
        }
      : {}),
  };
}

/**
 * Whether a change of health is worth a write: a failure, a recovery or a quarantine is; another success
 * of a healthy endpoint is not, so that a healthy endpoint costs no write beyond its deliveries' own. Its
 * last success is then its newest delivery sent (see `lastSuccessAt`).
 */
export function healthWorthRecording(before: EndpointHealth, after: EndpointHealth): boolean {
  const healthy = (h: EndpointHealth) => h.consecutiveFailures === 0 && !h.quarantinedAt;
  if (healthy(before) && healthy(after)) return before.slowSince !== after.slowSince;
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof EndpointHealth>;
  return [...fields].some((field) => before[field] !== after[field]);
}

/** An endpoint's last success: the newer of its recorded health's and its newest delivery sent. */
export function lastSuccessAt(
  health: EndpointHealth,
  deliveries: ReadonlyArray<{ status: string; sentAt?: string | undefined }>,
): string | undefined {
  const sent = deliveries.flatMap((d) => (d.status === 'sent' && d.sentAt ? [d.sentAt] : []));
  return [health.lastSuccessAt, ...sent]
    .filter((at): at is string => Boolean(at))
    .sort()
    .at(-1);
}

/** What became of one POST to an endpoint (see the endpoint client). */
export type PostOutcome =
  /** 2xx: the endpoint has it. */
  | { kind: 'delivered'; status: number; latencyMs: number; answer: string }
  /** A network error, a timeout, 429 or 5xx: worth trying again (after `retryAfterSeconds`, if it said). */
  | {
      kind: 'retry';
      status?: number;
      reason: string;
      /** No answer in the time allowed. */
      timedOut?: boolean;
      /** Cut off by the caller before its time was up (see the poster's `cutOff`). */
      cutOff?: boolean;
      retryAfterSeconds?: number;
      latencyMs: number;
      answer: string;
    }
  /** 410 Gone: the endpoint says it is no more. */
  | { kind: 'gone'; status: number; latencyMs: number; answer: string }
  /** Any other answer (a 4xx, a redirect): trying again would get the same. */
  | { kind: 'rejected'; status: number; latencyMs: number; answer: string }
  /** The URL or an address it resolves to may not be connected to: nothing was sent. */
  | { kind: 'blocked'; reason: string };
