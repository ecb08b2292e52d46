import * as z from 'zod';

/**
 * Every environment variable a function reads, with its schema. `infra/` imports these names when it
 * sets a function's environment, so the two cannot drift.
 */
const envSchemas = {
  SUBSCRIBERS_TABLE: z.string().min(1),
  INCIDENTS_TABLE: z.string().min(1),
  DELIVERIES_TABLE: z.string().min(1),
  CATALOG_TABLE: z.string().min(1),
  WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters: it is the only secret in the URL'),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters'),
  LINK_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Seals webhook endpoints' URLs and signing secrets, and keys them: a secret of its own, never rotated with the links'. */
  CHANNEL_SEALING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** The admin API the support console calls (the console reaches data through it alone). */
  ADMIN_API_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** A console session ends after this many minutes without a request. */
  CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(1).max(720).default(30),
  MAIL_FROM: z.email(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Subscribe requests allowed per client IP, and per address, per hour (subscription bombing). */
  SUBSCRIBE_LIMIT_PER_IP: z.coerce.number().int().positive().default(20),
  SUBSCRIBE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(5),
  /**
   * Origins (`https://status.example.com`, space- or comma-separated) whose pages may frame the
   * subscribe form at /subscribe/embed; none by default, so nobody can.
   */
  SUBSCRIBE_EMBED_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin))),
  /** Recipients per second across all senders; by default the account's `SendQuota.MaxSendRate`. */
  SES_MAX_SEND_RATE: z.coerce.number().positive().optional(),
  /**
   * The sweep brings back pending deliveries of an update nothing happened to for this many minutes:
   * longer than a sender takes for a batch, far shorter than the stream's 24 hours.
   */
  PENDING_STALE_MINUTES: z.coerce.number().min(0).max(720).default(10),
  /** How long before a maintenance window starts its followers are reminded (when the page asks for it). */
  MAINTENANCE_REMINDER_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
  /**
   * The local stack and tests only: endpoints may be `http://127.0.0.1:<port>` (local receivers). The
   * CDK never sets it, so a deployed notifier POSTs to public addresses only.
   */
  CHANNELS_ALLOW_LOOPBACK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** SES rewrites Message-ID to `<id@this-domain>`; `email.amazonses.com` in us-east-1. */
  SES_MESSAGE_ID_DOMAIN: z.string().min(1).default('email.amazonses.com'),
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
