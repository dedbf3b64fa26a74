import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reads the store contact from the environment, validates it, and gives the demo store made-up details', () => {
    const c = loadConfig({ env: { SHOPBOT_STORE_EMAIL: 'help@acme.example', SHOPBOT_STORE_PHONE: '+1 (212) 555-0199', SHOPBOT_STORE_CONTACT_URL: 'https://acme.example/help' } });
    expect(c.store.contact).toEqual({ email: 'help@acme.example', phone: '+1 (212) 555-0199', url: 'https://acme.example/help' });
    expect(loadConfig({ env: {} }).store.contact.email).toMatch(/@shop\.example\.com$/);
    expect(() => loadConfig({ env: { SHOPBOT_STORE_EMAIL: 'not an address' } })).toThrow(/store\.contact\.email \(SHOPBOT_STORE_EMAIL\)/);
    expect(() => loadConfig({ env: { SHOPBOT_STORE_PHONE: 'call us' } })).toThrow(/store\.contact\.phone/);
    expect(() => loadConfig({ env: { SHOPBOT_STORE_CONTACT_URL: 'javascript:alert(1)' } })).toThrow(/store\.contact\.url/);
  });

  it('has embedded defaults that need no services', () => {
    const c = loadConfig({ env: {} });
    expect(c.storage.backend).toBe('sqlite');
    expect(c.state.backend).toBe('sqlite');
    expect(c.retrieval.backend).toBe('embedded');
    expect(c.server.port).toBe(3000);
  });

  it('reads environment variables, coercing types', () => {
    const c = loadConfig({ env: { PORT: '8080', SHOPBOT_DEMO_CATALOG: 'false', SHOPBOT_EXPLORATION_RATE: '0.2' } });
    expect(c.server.port).toBe(8080);
    expect(c.catalog.demo).toBe(false);
    expect(c.ranking.explorationRate).toBe(0.2);
  });

  it('stops with a message naming the setting and its variable', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(/server\.port \(PORT\)/);
    expect(() => loadConfig({ env: { SHOPBOT_RETRIEVAL: 'elastic' } })).toThrow(/retrieval\.backend \(SHOPBOT_RETRIEVAL\)/);
    expect(() => loadConfig({ env: { SHOPBOT_RETRIEVAL: 'qdrant' } })).toThrow(/QDRANT_URL/);
  });

  it('layers file < environment < overrides', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    dirs.push(dir);
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ server: { port: 1111, maxMessageChars: 500 }, dataDir: 'from-file' }));
    const c = loadConfig({ env: { SHOPBOT_CONFIG: file, PORT: '2222' }, overrides: { dataDir: 'from-override' } });
    expect(c.server.port).toBe(2222);
    expect(c.server.maxMessageChars).toBe(500);
    expect(c.dataDir).toBe('from-override');
  });

  it('keeps personal data 90 days unless SHOPBOT_RETENTION_DAYS says otherwise (0: forever)', () => {
    expect(loadConfig({ env: {} }).privacy.retentionDays).toBe(90);
    expect(loadConfig({ env: { SHOPBOT_RETENTION_DAYS: '0' } }).privacy.retentionDays).toBe(0);
    expect(() => loadConfig({ env: { SHOPBOT_RETENTION_DAYS: '-1' } })).toThrow(/privacy\.retentionDays \(SHOPBOT_RETENTION_DAYS\)/);
  });

  it('reports an unreadable config file', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/shopbot.json' })).toThrow(/CONFIG|config file/);
  });
});
