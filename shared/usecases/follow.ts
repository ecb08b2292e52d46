import { randomUUID } from 'node:crypto';
import { pageView } from '../domain/catalog';
import { chronological, isClosingStatus } from '../domain/incident';
import { createConfirmToken, newNonce } from '../domain/link-tokens';
import {
  CONFIRM_TOKEN_TTL_HOURS,
  type Follow,
  followKey,
  MAX_FOLLOWS,
  type SubscriberRecord,
} from '../domain/subscriber';
import { TimeZone } from '../domain/time-zone';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { log, loggableError } from '../log';
import type { Incidents } from '../ports';
import {
  EmailAddress,
  limitRequests,
  mayMailAgain,
  type SelfServiceDeps,
  sendConfirmation,
} from './self-service';

/** POST /v1/incidents/{id}/followers, and the "Follow this incident" form. */
export const FollowInput = z.object({ email: EmailAddress, timeZone: z.optional(TimeZone) });
export type FollowInput = z.output<typeof FollowInput>;

export type FollowDeps = SelfServiceDeps & { incidents: Pick<Incidents, 'get' | 'listByPage'> };

/**
 * Asks to follow one incident: its updates until it resolves, and its postmortem if one is expected,
 * in the same thread as everyone's mail about it. Double opt-in for everyone, a confirmed subscriber
 * too (one address cannot sign another up for anything). The answer is the same whatever the address.
 */
export async function requestFollow(
  deps: FollowDeps,
  incidentId: string,
  input: FollowInput,
  clientIp: string,
) {
  const { follow } = await followable(deps, incidentId);
  await limitRequests(deps, input.email, clientIp);
  try {
    await followByAddress(deps, input, follow);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    log.warn('concurrent follow for one address; the other request handles it');
  }
  return { incidentId, name: follow.name };
}

/** An incident a person may still follow, as its follow page shows it; NOT_FOUND or CONFLICT else. */
export async function followView(deps: Pick<FollowDeps, 'incidents' | 'catalog'>, incidentId: string) {
  const { follow, stored } = await followable(deps, incidentId);
  const page = pageView(await deps.catalog.getPage(follow.pageId));
  if (!page) throw notFollowable();
  const latest = chronological(stored.updates).at(-1);
  return {
    incidentId,
    name: stored.incident.name,
    status: stored.incident.status,
    pageName: page.name,
    ...(latest ? { latest: { at: latest.displayAt, body: latest.body } } : {}),
  };
}

/** A page's incidents still going on, newest first: what its subscribe page offers to follow alone. */
export async function openIncidents(deps: { incidents: Pick<Incidents, 'listByPage'> }, pageId: string) {
  // A public page: two reads of the index at most, however many incidents the page has had.
  const { items } = await deps.incidents.listByPage(pageId, { status: 'open', limit: 10, maxReads: 2 });
  return items.map(({ incidentId, name, status }) => ({ incidentId, name, status }));
}

const notFollowable = () =>
  new AppError('NOT_FOUND', 'There is no such incident to follow.', [
    { path: 'id', message: 'no such incident' },
  ]);

/** The incident as a follow (and as stored), if it is one a person may still follow. */
async function followable(deps: Pick<FollowDeps, 'incidents'>, incidentId: string) {
  const stored = await deps.incidents.get(incidentId);
  if (!stored) throw notFollowable();
  const { incident } = stored;
  if (isClosingStatus(incident.status)) {
    throw new AppError('CONFLICT', `“${incident.name}” is over: there are no more updates to follow.`, [
      { path: 'id', message: `the incident is ${incident.status}` },
    ]);
  }
  const follow: Follow = {
    incidentId,
    pageId: incident.pageId,
    name: incident.name,
    key: followKey(incidentId),
  };
  return { follow, stored };
}

async function followByAddress(deps: FollowDeps, { email, timeZone }: FollowInput, follow: Follow) {
  const now = deps.clock.now();
  if ((await deps.suppressions.suppressed([email])).size > 0) return; // bounced or complained: no mail
  const existing = await deps.subscribers.findByEmail(email);
  if (existing && !mayMailAgain(existing, now)) return;
  if (existing?.status === 'confirmed' && existing.follows?.some((f) => f.incidentId === follow.incidentId))
    return;

  const id = existing?.id ?? randomUUID();
  const confirm = createConfirmToken(id);
  const pending = (existing?.pendingFollows ?? []).filter((f) => f.incidentId !== follow.incidentId);
  const asks = {
    pendingFollows: [...pending, follow].slice(-MAX_FOLLOWS),
    confirmTokenHash: confirm.hash,
    confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
    lastInviteAt: now.toISOString(),
  };
  // Known addresses keep everything until their owner confirms (an unsubscribed one then starts over
  // with this follow alone): a stranger's request must change nothing a person chose.
  const record: SubscriberRecord = existing
    ? { ...existing, ...asks }
    : {
        id,
        email,
        createdAt: now.toISOString(),
        version: 0,
        level: 'all',
        topics: [],
        ...(timeZone ? { timeZone } : {}),
        linkNonce: newNonce(),
        status: 'pending',
        ...asks,
      };
  if (existing) await deps.subscribers.save(record, existing);
  else await deps.subscribers.create(record);
  await sendConfirmation(deps, record, confirm.token).catch((error: unknown) =>
    log.error('confirmation mail failed', { error: loggableError(error) }),
  );
}
