import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/secrets';

// Secrets Manager cannot run here: the reader is the one boundary replaced.
describe('loadConfig', () => {
  const token = 'w'.repeat(24);

  it('fetches secrets given by ARN, once each, and validates them with the rest', async () => {
    const asked: string[] = [];
    const env = await loadConfig(
      ['WEBHOOK_TOKEN', 'INCIDENTS_TABLE'],
      { WEBHOOK_TOKEN_SECRET_ARN: 'arn:secret:webhook', INCIDENTS_TABLE: 'incidents' },
      async (arn) => {
        asked.push(arn);
        return token;
      },
    );
    expect(env).toEqual({ WEBHOOK_TOKEN: token, INCIDENTS_TABLE: 'incidents' });
    expect(asked).toEqual(['arn:secret:webhook']);
  });

  it('uses a plain value when there is one (the local stack), and fails at cold start when neither is set', async () => {
    const never = async () => {
      throw new Error('must not be called');
    };
    expect(await loadConfig(['WEBHOOK_TOKEN'], { WEBHOOK_TOKEN: token }, never)).toEqual({
      WEBHOOK_TOKEN: token,
    });
    await expect(loadConfig(['WEBHOOK_TOKEN'], {}, never)).rejects.toThrow(/WEBHOOK_TOKEN/);
  });
});
