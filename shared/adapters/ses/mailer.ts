import type { BulkEmailEntryResult, SESv2Client } from '@aws-sdk/client-sesv2';
import type { MailContent, SingleMail } from '../../domain/render';
import { assertHeaderSafe } from '../../domain/threading';
import type { BulkRecipient, Mailer, SendOutcome } from '../../ports';

/** SendBulkEmail takes at most this many destinations per call. */
export const BULK_LIMIT = 50;

// The content travels as template data, never as template source: webhook text containing "{{" is
// substituted, not interpreted. Triple braces: no escaping by the template engine (we escape ourselves).
const TEMPLATE = {
  Subject: '{{{subject}}}',
  Html: '{{{html_head}}}{{{window_html}}}{{{html_before}}}{{{footer_html}}}{{{html_after}}}',
  Text: '{{{text_head}}}{{{window_text}}}{{{text}}}{{{footer_text}}}',
};

const THROTTLING_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'LimitExceededException',
]);
const REFUSALS = new Set([
  'BadRequestException',
  'NotFoundException',
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
]);
/**
 * SES takes no mail from the account for now (quota spent, sending paused or suspended): failing the
 * deliveries would lose them, retrying them at once would burn the stream's retries. They wait.
 */
const PAUSES = new Set(['AccountSuspendedException', 'SendingPausedException']);
const DAILY_QUOTA = /daily message quota exceeded/i;
const THROTTLED_ENTRY_STATUSES = new Set(['ACCOUNT_THROTTLED']);
const RETRYABLE_ENTRY_STATUSES = new Set(['TRANSIENT_FAILURE', 'ACCOUNT_THROTTLED']);
const PAUSED_ENTRY_STATUSES = new Set([
  'ACCOUNT_DAILY_QUOTA_EXCEEDED',
  'ACCOUNT_SENDING_PAUSED',
  'ACCOUNT_SUSPENDED',
  'CONFIGURATION_SET_SENDING_PAUSED',
]);

export interface SesMailerOptions {
  from: string;
  configurationSetName?: string;
  /** Waits for room within the send rate before each call; false: no room before the deadline. */
  pace?: (recipients: number) => Promise<boolean>;
  /** The account's send rate: no call carries more recipients than may go out in a second. */
  maxPerSecond?: number;
}

/**
 * The SES client module, imported with the first mail rather than at cold start: admin and subscriptions
 * send mail on few of their routes and would load it (about 20 ms) for none.
 */
const sesModule = () => import('@aws-sdk/client-sesv2');

/** A client made with the first mail, with the SDK's default configuration. */
export const lazySesClient = () => async (): Promise<SESv2Client> => new (await sesModule()).SESv2Client({});

/** Sends through SES v2 SendBulkEmail, at most 50 recipients a call, one outcome per recipient. */
export class SesMailer implements Mailer {
  private client: Promise<SESv2Client> | undefined;

  /** `source`: the client, or how to make it with the first mail (`lazySesClient()`). */
  constructor(
    private readonly source: SESv2Client | (() => Promise<SESv2Client>),
    private readonly options: SesMailerOptions,
  ) {}

  /** The SES module (for its commands) and the client, both ready from the second mail on. */
  private ses() {
    this.client ??= typeof this.source === 'function' ? this.source() : Promise.resolve(this.source);
    return Promise.all([sesModule(), this.client]);
  }

  get maxRecipientsPerCall(): number {
    return Math.max(1, Math.min(BULK_LIMIT, Math.floor(this.options.maxPerSecond ?? BULK_LIMIT)));
  }

  async sendBulk(content: MailContent, recipients: readonly BulkRecipient[]): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    for (let i = 0; i < recipients.length; i += this.maxRecipientsPerCall) {
      outcomes.push(...(await this.sendChunk(content, recipients.slice(i, i + this.maxRecipientsPerCall))));
    }
    return outcomes;
  }

  /** Transactional mail (confirmations): one recipient, no list headers. */
  async sendOne(to: string, mail: SingleMail): Promise<SendOutcome> {
    try {
      const [{ SendEmailCommand }, client] = await this.ses();
      const { MessageId } = await client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          ConfigurationSetName: this.options.configurationSetName,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: mail.html, Charset: 'UTF-8' },
                Text: { Data: mail.text, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
      return MessageId
        ? { ok: true, messageId: MessageId }
        : { ok: false, retryable: true, error: 'no message id' };
    } catch (error) {
      return callFailure(error);
    }
  }

  private async sendChunk(
    content: MailContent,
    recipients: readonly BulkRecipient[],
  ): Promise<SendOutcome[]> {
    if (this.options.pace && !(await this.options.pace(recipients.length))) {
      // It already waited as long as it may: the sweep brings these back, not another wait here.
      return recipients.map(() => ({ ok: false, deferred: 'no-room', error: 'no room in the send rate' }));
    }
    const [{ SendBulkEmailCommand }, client] = await this.ses();
    const command = new SendBulkEmailCommand({
      FromEmailAddress: this.options.from,
      ConfigurationSetName: this.options.configurationSetName,
      DefaultContent: {
        Template: {
          TemplateContent: TEMPLATE,
          TemplateData: JSON.stringify({
            subject: content.subject,
            html_head: content.htmlHead,
            window_html: content.window.html,
            html_before: content.htmlBefore,
            html_after: content.htmlAfter,
            text_head: content.textHead,
            window_text: content.window.text,
            text: content.text,
          }),
        },
      },
      BulkEmailEntries: recipients.map((recipient) => ({
        Destination: { ToAddresses: [recipient.email] },
        ReplacementHeaders: assertHeaderSafe(recipient.headers).map(({ name, value }) => ({
          Name: name,
          Value: value,
        })),
        ...(recipient.tags
          ? { ReplacementTags: Object.entries(recipient.tags).map(([Name, Value]) => ({ Name, Value })) }
          : {}),
        ReplacementEmailContent: {
          ReplacementTemplate: {
            ReplacementTemplateData: JSON.stringify({
              footer_html: recipient.footer.html,
              footer_text: recipient.footer.text,
              ...(recipient.window
                ? { window_html: recipient.window.html, window_text: recipient.window.text }
                : {}),
            }),
          },
        },
      })),
    });
    try {
      const { BulkEmailEntryResults = [] } = await client.send(command);
      return recipients.map((_, index) => entryOutcome(BulkEmailEntryResults[index]));
    } catch (error) {
      const failure = callFailure(error);
      return recipients.map(() => failure);
    }
  }
}

/**
 * A whole call failed. Throttling, outages and timeouts are retried (by the sender, then the stream);
 * what cannot succeed as things stand (the message or account refused, sending paused) is not retried
 * but recorded as failed with its reason, visible in the delivery history.
 */
function callFailure(error: unknown): SendOutcome {
  const name = error instanceof Error ? error.name : 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  // SES words a spent daily quota as a throttle, but waiting a second does not help.
  if (PAUSES.has(name) || DAILY_QUOTA.test(message)) return { ok: false, deferred: 'paused', error: message };
  const throttled = THROTTLING_ERRORS.has(name) || status === 429;
  return { ok: false, retryable: !REFUSALS.has(name), throttled, error: message };
}

function entryOutcome(result: BulkEmailEntryResult | undefined): SendOutcome {
  if (!result) return { ok: false, retryable: true, error: 'SES returned no result for this entry' };
  if (result.Status === 'SUCCESS' && result.MessageId) return { ok: true, messageId: result.MessageId };
  const status = result.Status ?? 'UNKNOWN';
  const error = `${status}: ${result.Error ?? ''}`.trim();
  if (PAUSED_ENTRY_STATUSES.has(status)) return { ok: false, deferred: 'paused', error };
  return {
    ok: false,
    retryable: RETRYABLE_ENTRY_STATUSES.has(status),
    throttled: THROTTLED_ENTRY_STATUSES.has(status),
    error,
  };
}
