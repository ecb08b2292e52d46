import type { ChannelType, EndpointFormat } from '../domain/endpoint';
import { type EventInput, incidentEventV1, plainEventV1, statuspageBody } from '../domain/webhook-events';

/** A test or verification: no incident, the page and the subscription's links. */
export type NoticeInput = Parameters<typeof plainEventV1>[0];

/**
 * What one POST to an endpoint carries, in its format: a webhook's event (v1, or Statuspage's body), or
 * a chat platform's message, whose renderer loads with the first message of its kind. A chat URL may
 * gain a query (Google Chat's threading); `kind` is the channel, whose URL rules the send checks again.
 */
export async function endpointPost(
  endpoint: { url: string; format: EndpointFormat },
  event: { update: EventInput } | { notice: NoticeInput },
): Promise<{ url: string; body: string; kind: ChannelType; threadName?: string }> {
  const { url, format } = endpoint;
  if (format === 'v1' || format === 'statuspage') {
    const body =
      'notice' in event
        ? plainEventV1(event.notice)
        : format === 'statuspage'
          ? statuspageBody(event.update)
          : incidentEventV1(event.update);
    return { url, body: JSON.stringify(body), kind: 'webhook' };
  }
  const { chatContentOf, chatNoticeOf, cutAtWord } = await import('./chat/content');
  const content = 'notice' in event ? chatNoticeOf(event.notice) : chatContentOf(event.update);
  const message = async () => {
    switch (format) {
      case 'slack':
        return (await import('./chat/slack')).slackMessage(content);
      case 'teams':
        return (await import('./chat/teams')).teamsMessage(content);
      case 'discord':
        return (await import('./chat/discord')).discordMessage(content);
      case 'googlechat':
        return (await import('./chat/googlechat')).googleChatMessage(content);
    }
  };
  const to = format === 'googlechat' ? (await import('./chat/googlechat')).googleChatUrl(url) : url;
  return {
    url: to,
    body: JSON.stringify(await message()),
    kind: format,
    // A Discord forum's post about the incident, should the channel be one: named after it.
    ...(format === 'discord' ? { threadName: cutAtWord(content.title, 100) } : {}),
  };
}
