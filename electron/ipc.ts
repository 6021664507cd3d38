import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contract, type Handlers } from '../core/api/contract';
import { AppError, type Reply } from '../core/api/errors';
import { dispatch } from './dispatch';
import { createLogger } from './log';

const log = createLogger('ipc');

const CHANNEL_PREFIX = 'griddesk:';
export const channelFor = (method: string): string => CHANNEL_PREFIX + method;

/** The parts of a WebFrameMain the sender check reads (kept minimal so tests can fake it). */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * True when `url` is a file:// URL of a file inside `rendererDir` (query and hash ignored).
 * file:// pages share one opaque origin, so "same origin" would admit any local HTML file;
 * the directory is the real boundary.
 */
export function isAppUrl(url: string, rendererDir: string): boolean {
  let file: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
    file = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const rel = relative(rendererDir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The sender check, before any argument is looked at: the call must come from the main
 * frame of the window (never an iframe, never a frame that is already gone) showing our
 * own renderer files.
 */
export function isTrustedSender(
  frame: SenderFrame | null | undefined,
  mainFrame: unknown,
  isAllowedUrl: (url: string) => boolean,
): boolean {
  if (!frame) return false;
  if (frame.parent !== null || frame !== mainFrame) return false;
  return isAllowedUrl(frame.url);
}

const forbidden = (method: string): Reply<unknown> => ({
  ok: false,
  error: new AppError('forbidden_sender', 'forbidden_sender', { method }).toShape(),
});

/** Handles one call: sender check, then the shared dispatch (which parses the arguments). */
export async function handleCall(
  handlers: Handlers,
  method: string,
  event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>,
  request: unknown,
  isAllowedUrl: (url: string) => boolean,
): Promise<Reply<unknown>> {
  // senderFrame is null once the frame has navigated away or been destroyed.
  const frame = event.senderFrame;
  if (!isTrustedSender(frame, event.sender.mainFrame, isAllowedUrl)) {
    log.warn({ method, url: frame?.url ?? null }, 'call from an untrusted sender refused');
    return forbidden(method);
  }
  return dispatch(handlers, method, request);
}

/**
 * Registers one handler per contract method. The channel list is the contract's key list,
 * so a method added to the contract is reachable without touching this file. Returns a
 * function that removes them again.
 */
export function registerIpc(handlers: Handlers, options: { rendererDir: string }): () => void {
  const isAllowedUrl = (url: string) => isAppUrl(url, options.rendererDir);
  const methods = Object.keys(contract);
  for (const method of methods) {
    ipcMain.handle(channelFor(method), (event, request: unknown) =>
      handleCall(handlers, method, event, request, isAllowedUrl),
    );
  }
  return () => {
    for (const method of methods) ipcMain.removeHandler(channelFor(method));
  };
}
