import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { log } from '../../log';

/** The account's send rate (recipients per second), read once per cold start; 1/s (the sandbox's) if unreadable. */
/** `client`: made only when the rate is not configured (making an SDK client costs a cold start). */
export async function maxSendRate(
  client: () => SESv2Client,
  configured: number | undefined,
): Promise<number> {
  if (configured) return configured;
  try {
    const { SendQuota } = await client().send(new GetAccountCommand({}));
    if (SendQuota?.MaxSendRate) return SendQuota.MaxSendRate;
  } catch (error) {
    log.warn('could not read the SES send quota; sending at 1 per second', { error });
  }
  return 1;
}
