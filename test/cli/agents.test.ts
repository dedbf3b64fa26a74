/** `shopbot agents hash-password`: the printed entry logs in through the real console auth; weak passwords are refused. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAgentAuth } from '../../channels/web/console/index.js';
import { run } from '../../cli/agents.js';

async function hashCli(argv: string[], stdin: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { stdin: Readable.from([stdin]), out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('shopbot agents hash-password', () => {
  it('prints an scrypt entry that logs the agent in, without the password in it', async () => {
    const { code, out } = await hashCli(['hash-password'], 'correct horse battery\n');
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).not.toContain('correct horse');
    const auth = await createAgentAuth({ users: `carol:${out[0]}`, allowEphemeralKey: true, now: Date.now });
    expect(auth.verify(await auth.login('carol', 'correct horse battery')).name).toBe('carol');
  });

  it('refuses short passwords, an empty stdin and unknown subcommands', async () => {
    expect(await hashCli(['hash-password'], 'too-short\n')).toMatchObject({ code: 2, out: [], err: [expect.stringMatching(/12 to 200 characters/)] });
    expect((await hashCli(['hash-password'], '')).code).toBe(2);
    expect((await hashCli(['hash'], 'correct horse battery\n')).code).toBe(2);
  });
});
