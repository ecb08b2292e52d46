/*
 * Chat platforms' incoming-webhook URLs, told apart by host and path. A chat platform reads its own
 * message format, not our webhook events: a Slack, Teams, Discord or Google Chat URL given as a plain
 * webhook would fail every delivery, so it is refused in words that name the platform.
 */

export type ChatPlatform = 'slack' | 'teams' | 'discord' | 'googlechat';

export const PLATFORM_NAMES: Record<ChatPlatform, string> = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  discord: 'Discord',
  googlechat: 'Google Chat',
};

const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com', 'canary.discord.com', 'ptb.discord.com']);

/**
 * The platform whose incoming-webhook URL this is; `teams-connector` for an Office 365 connector URL
 * (`*.webhook.office.com`), which Microsoft is retiring for Workflows webhooks.
 */
export function chatPlatformOf(url: URL): ChatPlatform | 'teams-connector' | undefined {
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (host === 'hooks.slack.com' && path.startsWith('/services/')) return 'slack';
  if (DISCORD_HOSTS.has(host) && /^\/api\/(v\d+\/)?webhooks\/\d+\/[^/]+/.test(path)) return 'discord';
  if (host === 'chat.googleapis.com' && path.startsWith('/v1/spaces/')) return 'googlechat';
  if (
    (host.endsWith('.logic.azure.com') || host.endsWith('.powerplatform.com')) &&
    path.includes('/workflows/')
  )
    return 'teams';
  if (host.endsWith('.webhook.office.com') || (host === 'outlook.office.com' && path.startsWith('/webhook/')))
    return 'teams-connector';
  return undefined;
}

/** Why a chat platform's URL is no plain webhook's, in words; undefined for any other URL. */
export function chatUrlProblem(url: URL): string | undefined {
  const platform = chatPlatformOf(url);
  if (!platform) return undefined;
  const name = platform === 'teams-connector' ? 'Microsoft Teams' : PLATFORM_NAMES[platform];
  return `is a ${name} incoming webhook, which takes ${name}’s own messages, not webhook events: give the URL of a service that reads webhook events`;
}

/** Where each platform's incoming-webhook URLs start, for the words of a refusal. */
const EXPECTED: Record<ChatPlatform, string> = {
  slack: 'https://hooks.slack.com/services/…',
  teams: 'a Teams Workflows webhook (https://….logic.azure.com/… or https://….powerplatform.com/…)',
  discord: 'https://discord.com/api/webhooks/…',
  googlechat: 'https://chat.googleapis.com/v1/spaces/…',
};

/**
 * Why a URL given for a chat channel of `kind` is not one, in words naming what it looks like instead;
 * undefined when it is that platform's.
 */
export function chatKindProblem(url: URL, kind: ChatPlatform): string | undefined {
  const platform = chatPlatformOf(url);
  if (platform === kind) return undefined;
  if (kind === 'teams' && platform === 'teams-connector')
    return 'is an Office 365 connector URL, which Microsoft is retiring: in Teams, create a Workflows webhook (“Post to a channel when a webhook request is received”) and give its URL';
  const looksLike = platform === 'teams-connector' ? 'Microsoft Teams' : platform && PLATFORM_NAMES[platform];
  return looksLike
    ? `looks like a ${looksLike} webhook, not a ${PLATFORM_NAMES[kind]} one: choose ${looksLike}, or give the ${PLATFORM_NAMES[kind]} URL`
    : `is not a ${PLATFORM_NAMES[kind]} incoming-webhook URL: it should be ${EXPECTED[kind]}`;
}

/** Slack's answers that mean our message was malformed: ours to fix, not the channel's. */
const SLACK_OURS = new Set(['invalid_payload', 'invalid_blocks', 'invalid_blocks_format', 'no_text']);

/** Slack's answers that mean the webhook will never take a message again. */
const SLACK_GONE = new Set([
  'channel_not_found',
  'channel_is_archived',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_token',
  'action_prohibited',
]);

/**
 * What a chat platform's refusal means: its webhook is gone (quarantine it at once, and tell its owner),
 * or the message was ours to get right (`ourBug`: Slack's `invalid_payload`; alarm, the delivery failed).
 * Undefined for anything else, which is handled as any endpoint's answer.
 */
export function chatRefusal(
  platform: ChatPlatform,
  status: number,
  answer: string,
): { gone: string } | { ourBug: string } | undefined {
  const said = answer.trim().slice(0, 200);
  const name = PLATFORM_NAMES[platform];
  if (platform === 'slack') {
    if (SLACK_OURS.has(said)) return { ourBug: `Slack answered ${status} ${said}` };
    if (SLACK_GONE.has(said)) return { gone: `the Slack webhook is gone: it answered ${status} ${said}` };
  }
  const malformed =
    status === 400 &&
    (platform === 'teams' ||
      (platform === 'discord' && /"code"\s*:\s*50035\b/.test(said)) ||
      (platform === 'googlechat' && /Invalid JSON payload/i.test(said)));
  if (malformed) return { ourBug: `${name} answered 400: ${said.slice(0, 120)}` };
  if (platform === 'discord')
    // A 404 about anything but the webhook (a forum post deleted, say) is not the webhook gone.
    return status === 404 && /"code"\s*:\s*10015\b|Unknown Webhook/.test(said)
      ? { gone: 'the Discord webhook is gone: it answered 404 Unknown Webhook' }
      : undefined;
  if (status === 404 || status === 410) return { gone: `the ${name} webhook is gone: it answered ${status}` };
  return undefined;
}

/** Discord's answer to a message for a forum post that is no more (deleted): a new post is opened. */
export const isDiscordPostGone = (status: number, answer: string) =>
  status === 404 && /"code"\s*:\s*10003\b/.test(answer);

/** Discord's answer to a message for a forum channel that names no post: the channel is a forum. */
export const isDiscordForumRefusal = (status: number, answer: string) =>
  status === 400 && /"code"\s*:\s*220001\b/.test(answer);

/** The post (thread) a Discord message went to, from its answer to `?wait=true`: the message's channel. */
export function discordThreadOf(answer: string): string | undefined {
  try {
    const id = (JSON.parse(answer) as { channel_id?: unknown }).channel_id;
    return typeof id === 'string' && /^\d{1,30}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
