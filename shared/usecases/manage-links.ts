import { createIssuedManageToken, createManageToken } from '../domain/link-tokens';
import type { SubscriberRecord } from '../domain/subscriber';

/*
 * The links that let a subscriber manage their subscription, signed: in every mail, webhook event and
 * page. Apart from the subscribe flows, so that the sender and the deliverer load only these.
 */

/** What signing the links needs. */
type LinkConfig = { config: { publicBaseUrl: string; linkSigningSecret: string } };

/** Whose manage links: signed with the subscriber's nonce, or with the time they are issued (see link-tokens). */
export type LinkHolder = Pick<SubscriberRecord, 'id' | 'linkNonce'> | { id: string; issuedAt: Date };

export function preferencesUrl(deps: LinkConfig, holder: LinkHolder) {
  return `${deps.config.publicBaseUrl}/v1/preferences?token=${manageToken(deps, holder)}`;
}

/** A notification's two links, under one token: one signature per recipient, not two. */
export function manageLinks(deps: LinkConfig, holder: LinkHolder) {
  const token = manageToken(deps, holder);
  return {
    unsubscribeUrl: `${deps.config.publicBaseUrl}/v1/unsubscribe?token=${token}`,
    preferencesUrl: `${deps.config.publicBaseUrl}/v1/preferences?token=${token}`,
  };
}

function manageToken(deps: LinkConfig, holder: LinkHolder) {
  const secret = deps.config.linkSigningSecret;
  return encodeURIComponent(
    'issuedAt' in holder
      ? createIssuedManageToken(secret, holder.id, holder.issuedAt)
      : createManageToken(secret, holder.id, holder.linkNonce),
  );
}
