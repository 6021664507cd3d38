import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/api/errors';
import { serverRoot } from '../../electron/sync/engine';

// The server address a station keeps (electron/sync/engine.ts serverRoot): admins copy it from
// wherever they saw it, with the API's path, a slash or a query on it.

describe('the server address a station enrolls with', () => {
  it.each([
    ['http://10.1.2.3:8787', 'http://10.1.2.3:8787'],
    ['  http://10.1.2.3:8787/  ', 'http://10.1.2.3:8787'],
    ['http://10.1.2.3:8787/v1', 'http://10.1.2.3:8787'],
    ['http://10.1.2.3:8787/V1/', 'http://10.1.2.3:8787'],
    ['https://griddesk.example.gov.cn/v1/?from=mail#top', 'https://griddesk.example.gov.cn'],
    // a server behind a path of its own keeps it
    ['https://gov.example.cn/griddesk/v1', 'https://gov.example.cn/griddesk'],
  ])('%s is kept as %s', (given, kept) => {
    expect(serverRoot(given)).toBe(kept);
  });

  it.each(['10.1.2.3:8787', 'ftp://10.1.2.3', 'not a url'])('%s is refused in plain words', (given) => {
    expect(() => serverRoot(given)).toThrow(AppError);
    expect(() => serverRoot(given)).toThrow('sync.bad_server_url');
  });
});
