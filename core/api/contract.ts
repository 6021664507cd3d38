import type { z } from 'zod';
import { app, backup, coverage, grid, org, people, transfer } from './areas';
import { defineContract } from './define';
import { sync } from './sync';

/** The whole app API. IPC, the browser host and the renderer's client derive from it. */
export const contract = defineContract(app, org, grid, people, coverage, transfer, backup, sync);

export type ApiContract = typeof contract;
export type MethodName = keyof ApiContract & string;
export type RequestOf<M extends MethodName> = z.input<ApiContract[M]['request']>;
export type ParsedRequestOf<M extends MethodName> = z.output<ApiContract[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<ApiContract[M]['response']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** The typed client every transport implements. */
export type Api = { [M in MethodName]: (request: RequestOf<M>) => Promise<ResponseOf<M>> };

/** Handlers implement the contract on the main-process side. */
export type Handlers = { [M in MethodName]: (request: ParsedRequestOf<M>) => ResponseOf<M> | Promise<ResponseOf<M>> };

type AreaOf<M> = M extends `${infer A}.${string}` ? A : never;
type VerbOf<M, A extends string> = M extends `${A}.${infer V}` ? V : never;

/** 'grid.tree' -> api.grid.tree(...): the shape the renderer and the preload expose. */
export type GroupedApi = {
  [A in AreaOf<MethodName>]: { [V in VerbOf<MethodName, A>]: Api[`${A}.${V}` & MethodName] };
};

/** Builds the grouped client from a single `call(method, request)` function. */
export function groupApi(call: (method: MethodName, request: unknown) => Promise<unknown>): GroupedApi {
  const grouped: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {};
  for (const name of Object.keys(contract)) {
    const [area, verb] = name.split('.') as [string, string];
    (grouped[area] ??= {})[verb] = (request: unknown) => call(name as MethodName, request ?? {});
  }
  return grouped as unknown as GroupedApi;
}
