import { describe, expect, it } from 'vitest';
import { loggableError } from '../../shared/log';

describe('errors as they are logged', () => {
  it('keep no address, whatever quoted it', () => {
    const rejected = Object.assign(
      new Error(
        'Email address is not verified. The following identities failed the check: ann.lee+status@example.co.uk',
      ),
      { name: 'MessageRejected' },
    );
    const logged = loggableError(rejected);
    expect(logged).toMatchObject({
      name: 'MessageRejected',
      message: 'Email address is not verified. The following identities failed the check: <address>',
    });
    expect(JSON.stringify(logged)).not.toContain('example.co.uk');
    expect(loggableError('to <bob@example.com>: refused')).toEqual({
      name: 'Error',
      message: 'to <<address>>: refused',
    });
  });
});
