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
