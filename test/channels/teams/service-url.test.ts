import { describe, expect, it } from 'vitest';
import { createServiceUrlPolicy } from '../../../channels/teams/service-url.js';

const policy = createServiceUrlPolicy(['127.0.0.1', '*.bots.example.org']);
const allowed = (url: string) => {
  try {
    policy.assertAllowed(url);
    return true;
  } catch (err) {
    expect(err).toMatchObject({ code: 'SERVICE_URL_REFUSED' });
    return false;
  }
};

describe('Teams serviceUrl policy', () => {
  it("accepts Microsoft's Bot Connector hosts over https", () => {
    for (const url of [
      'https://smba.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net/teams/',
      'https://smba.infra.gcc.teams.microsoft.com/',
      'https://smba.infra.gov.teams.microsoft.us/',
      'https://webchat.botframework.com/',
      'https://directline.botframework.us/',
    ]) {
      expect(allowed(url), url).toBe(true);
    }
  });

  it('refuses look-alikes, other Traffic Manager names, plain http and garbage', () => {
    for (const url of [
      'https://evil.example/',
      'https://smba.trafficmanager.net.evil.example/',
      'https://evil.trafficmanager.net/', // anyone with an Azure subscription can create one
      'https://botframework.com.evil.example/',
      'https://evilbotframework.com/',
      'https://smba.trafficmanager.net@evil.example/',
      'http://smba.trafficmanager.net/amer/',
      'ftp://smba.trafficmanager.net/',
      'not a url',
      '',
    ]) {
      expect(allowed(url), url).toBe(false);
    }
    expect(allowed(undefined as unknown as string)).toBe(false);
  });

  it('adds configured hosts and patterns; http only for a configured loopback host', () => {
    expect(allowed('http://127.0.0.1:3978')).toBe(true);
    expect(allowed('https://eu.bots.example.org/')).toBe(true);
    expect(allowed('http://eu.bots.example.org/')).toBe(false);
    expect(allowed('http://localhost:3978')).toBe(false);
    expect(createServiceUrlPolicy([]).assertAllowed.bind(null, 'http://127.0.0.1:3978')).toThrow(/not a Bot Framework host/);
  });

  it("requires the token's serviceurl claim, when present, to name the same URL", () => {
    const url = 'https://smba.trafficmanager.net/amer/';
    expect(() => policy.assertInbound(url, { serviceurl: 'https://smba.trafficmanager.net/amer' })).not.toThrow();
    expect(() => policy.assertInbound(url, {})).not.toThrow();
    expect(() => policy.assertInbound(url, { serviceurl: 'https://smba.trafficmanager.net/emea/' })).toThrow(/serviceurl claim/);
    expect(() => policy.assertInbound('http://127.0.0.1:1/', { serviceurl: 'http://127.0.0.1:2/' })).toThrow(/serviceurl claim/);
    expect(() => policy.assertInbound(url, { serviceurl: 42 })).toThrow(/serviceurl claim/);
  });
});
