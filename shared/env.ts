import * as z from './domain/zod';

/**
 * Every environment variable a function reads, with its schema. `infra/` imports these names when it
 * sets a function's environment, so the two cannot drift.
 */
const envSchemas = {
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  INCIDENTS_TABLE: z.string().check(z.minLength(1)),
  DELIVERIES_TABLE: z.string().check(z.minLength(1)),
  CATALOG_TABLE: z.string().check(z.minLength(1)),
  WEBHOOK_TOKEN: z
    .string()
    .check(z.minLength(16, 'must be at least 16 characters: it is the only secret in the URL')),
  ADMIN_API_KEY: z.string().check(z.minLength(16, 'must be at least 16 characters')),
  LINK_SIGNING_SECRET: z.string().check(z.minLength(32, 'must be at least 32 characters')),
  /** Seals webhook endpoints' URLs and signing secrets, and keys them: a secret of its own, never rotated with the links'. */
  CHANNEL_SEALING_SECRET: z.string().check(z.minLength(32, 'must be at least 32 characters')),
  PUBLIC_BASE_URL: z.pipe(
    z.url({ protocol: /^https?$/ }),
    z.transform((url) => url.replace(/\/+$/, '')),
  ),
  /** The admin API the support console calls (the console reaches data through it alone). */
  ADMIN_API_URL: z.pipe(
    z.url({ protocol: /^https?$/ }),
    z.transform((url) => url.replace(/\/+$/, '')),
  ),
  /** A console session ends after this many minutes without a request. */
  CONSOLE_IDLE_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(720)), 30),
  MAIL_FROM: z.email(),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** Subscribe requests allowed per client IP, and per address, per hour (subscription bombing). */
  SUBSCRIBE_LIMIT_PER_IP: z._default(z.coerce.number().check(z.int(), z.positive()), 20),
  SUBSCRIBE_LIMIT_PER_ADDRESS: z._default(z.coerce.number().check(z.int(), z.positive()), 5),
  /**
   * Origins (`https://status.example.com`, space- or comma-separated) whose pages may frame the
   * subscribe form at /subscribe/embed; none by default, so nobody can.
   */
  SUBSCRIBE_EMBED_ORIGINS: z.pipe(
    z.pipe(
      z._default(z.string(), ''),
      z.transform((value) => value.split(/[\s,]+/).filter(Boolean)),
    ),
    z.array(
      z.pipe(
        z.url({ protocol: /^https?$/ }),
        z.transform((url) => new URL(url).origin),
      ),
    ),
  ),
  /** Recipients per second across all senders; by default the account's `SendQuota.MaxSendRate`. */
  SES_MAX_SEND_RATE: z.optional(z.coerce.number().check(z.positive())),
  /**
   * The sweep brings back pending deliveries of an update nothing happened to for this many minutes:
   * longer than a sender takes for a batch, far shorter than the stream's 24 hours.
   */
  PENDING_STALE_MINUTES: z._default(z.coerce.number().check(z.gte(0), z.lte(720)), 10),
  /** How long before a maintenance window starts its followers are reminded (when the page asks for it). */
  MAINTENANCE_REMINDER_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(5), z.lte(1440)), 60),
  /**
   * The local stack and tests only: endpoints may be `http://127.0.0.1:<port>` (local receivers). The
   * CDK never sets it, so a deployed notifier POSTs to public addresses only.
   */
  CHANNELS_ALLOW_LOOPBACK: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((value) => value === 'true'),
  ),
  /** SES rewrites Message-ID to `<id@this-domain>`; `email.amazonses.com` in us-east-1. */
  SES_MESSAGE_ID_DOMAIN: z._default(z.string().check(z.minLength(1)), 'email.amazonses.com'),
} as const;

export type EnvName = keyof typeof envSchemas;
export const ENV = Object.fromEntries(Object.keys(envSchemas).map((name) => [name, name])) as {
  [N in EnvName]: N;
};

type EnvOf<N extends EnvName> = { [K in N]: z.output<(typeof envSchemas)[K]> };

/** Reads and validates the named variables once, at cold start: a misconfigured function fails loudly. */
export function loadEnv<const N extends EnvName>(
  names: readonly N[],
  source: NodeJS.ProcessEnv = process.env,
): EnvOf<N> {
  const shape = Object.fromEntries(names.map((name) => [name, envSchemas[name]]));
  const parsed = z.object(shape).safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data as EnvOf<N>;
}
