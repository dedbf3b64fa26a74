import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../channels/teams/app-package/', import.meta.url);

function pngHeader(file: URL): { width: number; height: number; colourType: number } {
  const png = readFileSync(file);
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25]! };
}

describe('Teams app package', () => {
  it('has a consistent manifest and icons of the sizes Teams requires', () => {
    const m = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as {
      id: string;
      manifestVersion: string;
      icons: { color: string; outline: string };
      bots: { botId: string; scopes: string[] }[];
      webApplicationInfo: { id: string };
      authorization: { permissions: { resourceSpecific: { name: string }[] } };
    };
    expect(m.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(m.bots[0]!.botId).toBe(m.id);
    expect(m.webApplicationInfo.id).toBe(m.id);
    expect(m.bots[0]!.scopes).toEqual(expect.arrayContaining(['personal', 'team']));
    // agents answer in support threads without mentioning the bot only with this RSC permission
    expect(m.authorization.permissions.resourceSpecific.map((p) => p.name)).toContain('ChannelMessage.Read.Group');
    expect(pngHeader(new URL(m.icons.color, dir))).toMatchObject({ width: 192, height: 192 });
    // outline: 32x32 with an alpha channel (white on transparent)
    expect(pngHeader(new URL(m.icons.outline, dir))).toEqual({ width: 32, height: 32, colourType: 6 });
  });
});
