import type { Delivery } from '../../domain/delivery';
import type { ChannelView, EndpointHealth } from '../../domain/endpoint';
import { hidden } from '../forms';
import { html, type SafeHtml } from '../html';
import { statusLabel } from '../notification';

/*
 * A webhook's part of its preferences page: where updates go, how the endpoint has fared, its newest
 * deliveries, and what its owner can do (send a test event, resume it after a quarantine, rotate its
 * signing secret). Unsubscribing is the page's own button.
 */

export interface EndpointPanelInput {
  channel: ChannelView;
  health: EndpointHealth;
  deliveries: ReadonlyArray<Delivery & { incidentName: string; updateStatus: string }>;
}

const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');
const FORMATS = {
  v1: 'versioned JSON events (v1)',
  statuspage: 'Statuspage webhook bodies',
  slack: 'Slack messages',
  teams: 'Microsoft Teams cards',
  discord: 'Discord messages',
  googlechat: 'Google Chat cards, one thread per incident',
} as const;

/** How an endpoint has fared: paused and why, or its last delivery, failures in a row and slowness. */
export function endpointHealth(health: EndpointHealth): SafeHtml {
  if (health.quarantinedAt)
    return html`<div class="notice warning"><p><strong>Paused since ${when(health.quarantinedAt)}:</strong> ${health.quarantineReason ?? 'it kept failing'}. Updates meanwhile are recorded as skipped.</p></div>`;
  return html`<dl class="facts"><dt>Last delivered</dt><dd>${when(health.lastSuccessAt)}</dd><dt>Failures in a row</dt><dd>${health.consecutiveFailures}${
    health.failingSince ? ` (since ${when(health.failingSince)})` : ''
  }</dd>${
    health.slowSince
      ? html`<dt>Slow</dt><dd>since ${when(health.slowSince)}: it took over 2 seconds to answer, so each update waits up to 5</dd>`
      : ''
  }</dl>`;
}

function outcome(delivery: Delivery): string {
  if (delivery.status === 'sent') return 'delivered';
  if (delivery.status === 'pending')
    return delivery.nextAttemptAt ? `retrying at ${when(delivery.nextAttemptAt)}` : 'on its way';
  return delivery.error ? `${delivery.status}: ${delivery.error}` : delivery.status;
}

function deliveriesTable(deliveries: EndpointPanelInput['deliveries']): SafeHtml {
  if (deliveries.length === 0) return html`<p>Nothing was sent to it yet.</p>`;
  const rows = deliveries.map(
    (d) =>
      html`<tr><td class="text">${d.incidentName}: ${statusLabel(d.updateStatus)}</td><td>${when(d.sentAt ?? d.firstAttemptAt ?? d.createdAt)}</td><td class="num">${d.httpStatus ?? '–'}</td><td class="num">${d.latencyMs !== undefined ? `${d.latencyMs} ms` : '–'}</td><td class="num">${d.attempts}</td><td class="text">${outcome(d)}</td></tr>`,
  );
  return html`<div class="table-wrap" role="region" aria-label="Recent deliveries" tabindex="0"><table><thead><tr><th scope="col">Update</th><th scope="col">Time</th><th scope="col" class="num">HTTP status</th><th scope="col" class="num">Latency</th><th scope="col" class="num">Attempts</th><th scope="col">Outcome</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function endpointPanel(input: EndpointPanelInput, action: string): SafeHtml {
  const button = (value: string, label: string, secondary = true) =>
    html`<form class="inline" method="post" action="${action}">${hidden('action', value)}<button type="submit"${secondary ? html` class="secondary"` : ''}>${label}</button></form>`;
  // A chat platform checks no signature: its channel has no secret to rotate.
  const webhook = input.channel.type === 'webhook';
  return html`<h2>The endpoint</h2>
<p>Updates are POSTed to <strong>${input.channel.endpoint}</strong> as ${FORMATS[input.channel.format]}${webhook ? ', signed per Standard Webhooks' : ''}.</p>
${endpointHealth(input.health)}
<div class="actions">${input.health.quarantinedAt ? button('resume', 'Resume', false) : ''}${button('test', webhook ? 'Send a test event' : 'Send a test message')}${webhook ? button('rotate', 'Rotate signing secret') : ''}</div>
${webhook ? html`<p class="muted">A rotated secret is shown once; the old one goes on signing for 24 hours beside it, while your endpoint switches.</p>` : ''}
<h2>Recent deliveries</h2>
${deliveriesTable(input.deliveries)}`;
}
