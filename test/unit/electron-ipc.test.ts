import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { contract, type Handlers } from '../../core/api/contract';

const electron = vi.hoisted(() => {
  type Listener = (event: unknown, request: unknown) => Promise<unknown>;
  const channels = new Map<string, Listener>();
  return {
    channels,
    ipcMain: {
      handle: (channel: string, listener: Listener) => {
        if (channels.has(channel)) throw new Error(`second handler for ${channel}`);
        channels.set(channel, listener);
      },
      removeHandler: (channel: string) => channels.delete(channel),
    },
  };
});
vi.mock('electron', () => ({ ipcMain: electron.ipcMain }));

const { channelFor, isAppUrl, isTrustedSender, registerIpc } = await import('../../electron/ipc');

const rendererDir = join('/opt', 'GridDesk', 'resources', 'app.asar', 'dist', 'renderer');
const indexUrl = `${pathToFileURL(join(rendererDir, 'index.html')).href}#/roster`;

/** A main frame showing our index.html, and the event ipcMain would hand us for it. */
function frames(url = indexUrl) {
  const mainFrame = { url, parent: null };
  return { mainFrame, event: { senderFrame: mainFrame, sender: { mainFrame } } };
}

function fakeHandlers() {
  const calls = Object.fromEntries(Object.keys(contract).map((name) => [name, vi.fn(() => ({ from: name }))]));
  return { calls, handlers: calls as unknown as Handlers };
}

function call(method: string, event: unknown, request: unknown): Promise<unknown> {
  const listener = electron.channels.get(channelFor(method));
  if (!listener) throw new Error(`no handler for ${method}`);
  return listener(event, request);
}

describe('isAppUrl', () => {
  it('accepts files inside the renderer directory, with hash or query', () => {
    expect(isAppUrl(indexUrl, rendererDir)).toBe(true);
    expect(isAppUrl(pathToFileURL(join(rendererDir, 'assets', 'x.js')).href + '?v=1', rendererDir)).toBe(true);
  });

  it.each([
    ['another local file', pathToFileURL('/tmp/evil.html').href],
    ['a sibling directory sharing the prefix', pathToFileURL(`${rendererDir}-evil/index.html`).href],
    ['a path climbing out', `${pathToFileURL(rendererDir).href}/../../evil.html`],
    ['the directory itself', pathToFileURL(rendererDir).href],
    ['a web page', 'https://example.com/index.html'],
    ['a loopback page', 'http://127.0.0.1:5173/index.html'],
    ['a file URL with a host', `file://evil.example${pathToFileURL(join(rendererDir, 'index.html')).pathname}`],
    ['about:blank', 'about:blank'],
    ['not a URL', 'index.html'],
  ])('refuses %s', (_label, url) => {
    expect(isAppUrl(url, rendererDir)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const allow = () => true;
  it('needs a frame that is the main frame', () => {
    const { mainFrame } = frames();
    expect(isTrustedSender(mainFrame, mainFrame, allow)).toBe(true);
    expect(isTrustedSender(null, mainFrame, allow)).toBe(false);
    expect(isTrustedSender(undefined, mainFrame, allow)).toBe(false);
    expect(isTrustedSender({ url: indexUrl, parent: mainFrame }, mainFrame, allow)).toBe(false);
    // A top-level frame of some other web contents is not this window's main frame.
    expect(isTrustedSender({ url: indexUrl, parent: null }, mainFrame, allow)).toBe(false);
  });
});

describe('registerIpc', () => {
  beforeEach(() => {
    electron.channels.clear();
  });

  it('registers exactly one channel per contract method, and removes them again', () => {
    const unregister = registerIpc(fakeHandlers().handlers, { rendererDir });
    expect([...electron.channels.keys()].sort()).toEqual(Object.keys(contract).map(channelFor).sort());
    unregister();
    expect(electron.channels.size).toBe(0);
  });

  it('passes a trusted call with valid arguments to the handler', async () => {
    const { calls, handlers } = fakeHandlers();
    registerIpc(handlers, { rendererDir });
    const reply = await call('people.get', frames().event, { id: 'p-1' });
    expect(reply).toEqual({ ok: true, result: { from: 'people.get' } });
    expect(calls['people.get']).toHaveBeenCalledWith({ id: 'p-1' });
  });

  it('answers bad arguments with bad_request and never runs the handler', async () => {
    const { calls, handlers } = fakeHandlers();
    registerIpc(handlers, { rendererDir });
    const reply = await call('people.get', frames().event, { id: 5, extra: true });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(calls['people.get']).not.toHaveBeenCalled();
  });

  it.each([
    ['a forged frame URL', () => frames(pathToFileURL('/tmp/evil.html').href).event],
    ['a web page', () => frames('https://example.com/').event],
    ['a subframe', () => {
      const { mainFrame } = frames();
      return { senderFrame: { url: indexUrl, parent: mainFrame }, sender: { mainFrame } };
    }],
    ['a missing frame', () => ({ senderFrame: null, sender: { mainFrame: frames().mainFrame } })],
  ])('refuses %s with forbidden_sender before any parsing', async (_label, makeEvent) => {
    const { calls, handlers } = fakeHandlers();
    registerIpc(handlers, { rendererDir });
    const reply = await call('people.get', makeEvent(), { id: 'p-1' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden_sender', details: { method: 'people.get' } } });
    // Even invalid arguments get forbidden_sender, not bad_request: nothing is parsed first.
    expect(await call('people.get', makeEvent(), { id: 5 })).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    for (const fn of Object.values(calls)) expect(fn).not.toHaveBeenCalled();
  });
});
