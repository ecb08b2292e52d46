import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isPublicAddress, maskedEndpoint } from '../../shared/domain/endpoint-url';

const refused = (url: string, allowLoopback = false) => {
  const check = checkEndpointUrl(url, { allowLoopback });
  return check.ok ? undefined : check.problem;
};

describe('an endpoint URL', () => {
  it('is https on port 443 or 8443 with a public host', () => {
    for (const url of [
      'https://hooks.example.com/status',
      'https://hooks.example.com:8443/status?token=abc',
      'https://8.8.8.8/hook',
      'https://[2606:4700:4700::1111]/hook',
    ])
      expect(refused(url), url).toBeUndefined();
  });

  it('is refused in words otherwise, before any lookup', () => {
    expect(refused('not a url')).toMatch(/^not a URL/);
    expect(refused('http://hooks.example.com/')).toMatch(/must start https/);
    expect(refused('ftp://hooks.example.com/')).toMatch(/must start https/);
    expect(refused('https://hooks.example.com:8080/')).toMatch(/port 443/);
    expect(refused('https://user:pass@hooks.example.com/')).toMatch(/user name or password/);
    for (const url of [
      'https://localhost/',
      'https://intranet/',
      'https://printer.local/',
      'https://db.internal/',
    ])
      expect(refused(url), url).toMatch(/public host name/);
  });

  it('is refused when it is a chat platform’s incoming webhook, naming the platform', () => {
    const chat = {
      'https://hooks.slack.com/services/T0000/B0000/XXXXXXXX': 'Slack',
      'https://discord.com/api/webhooks/123456789/token-part': 'Discord',
      'https://discordapp.com/api/v10/webhooks/123456789/token-part': 'Discord',
      'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t': 'Google Chat',
      'https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s':
        'Microsoft Teams',
      'https://default0a.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke':
        'Microsoft Teams',
      'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi': 'Microsoft Teams',
    };
    for (const [url, platform] of Object.entries(chat))
      expect(refused(url), url).toBe(
        `is a ${platform} incoming webhook, which takes ${platform}’s own messages, not webhook events: give the URL of a service that reads webhook events`,
      );
    // Their hosts with other paths, and look-alikes, are plain webhooks.
    for (const url of [
      'https://hooks.slack.com.example.com/services/T0/B0/X',
      'https://discord.com/channels/1/2',
      'https://example.logic.azure.com.evil.example/workflows/x',
    ])
      expect(checkEndpointUrl(url, { allowLoopback: false }).ok, url).toBe(true);
  });

  it('refuses every address that is not the public internet, however it is written', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://10.1.2.3/',
      'https://172.16.0.1/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://224.0.0.1/',
      'https://255.255.255.255/',
      'https://[::1]/',
      'https://[::]/',
      'https://[fe80::1]/',
      'https://[fc00::1]/',
      'https://[ff02::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[::127.0.0.1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[2001:db8::1]/',
      'https://[2002:7f00:1::]/',
    ])
      expect(refused(url), url).toMatch(/public address/);
    for (const url of [
      'https://2130706433/',
      'https://0x7f000001/',
      'https://0177.0.0.1/',
      'https://0x7f.1/',
      'https://127.1/',
      'https://3232235777/',
    ])
      expect(refused(url), url).toMatch(/decimal, octal or hex/);
  });

  it('allows loopback http only when the local stack asks for it', () => {
    expect(refused('http://127.0.0.1:9999/hook', true)).toBeUndefined();
    expect(refused('https://127.0.0.1:8443/hook', true)).toBeUndefined();
    expect(refused('http://127.0.0.1:9999/hook')).toMatch(/must start https/);
    expect(refused('http://2130706433:9999/hook', true)).toMatch(/must start https/);
    expect(refused('http://10.0.0.1:9999/hook', true)).toMatch(/must start https/);
  });
});

describe('public addresses', () => {
  it('are the public internet only', () => {
    expect(
      ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'].every(isPublicAddress),
    ).toBe(true);
    expect(
      ['127.0.0.1', '::1', '::ffff:8.8.8.8', 'fd12::1', 'not an address', ''].some(isPublicAddress),
    ).toBe(false);
  });
});

describe('a masked endpoint', () => {
  it('shows where updates go, not the token in the path or query', () => {
    expect(maskedEndpoint('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/xyzXYZabcdefghij123')).toBe(
      'https://hooks.slack.com/services/T0…/B0…/xy…',
    );
    expect(maskedEndpoint('https://hooks.example.com/status?token=secret')).toBe(
      'https://hooks.example.com/status?…',
    );
  });
});
