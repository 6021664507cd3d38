import type { z } from 'zod';

/** One method of the app API: what it takes and what it gives back. */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
}

export type Contract = Record<string, MethodSpec>;

export function method<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res): MethodSpec<Req, Res> {
  return { request, response };
}

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/**
 * Merges the per-area parts into one contract. Method names are the transport's routing
 * keys on both IPC and HTTP, so a name defined twice would silently shadow a handler:
 * it throws at start-up instead.
 */
export function defineContract<Parts extends Contract[]>(...parts: Parts): UnionToIntersection<Parts[number]> {
  const merged: Contract = {};
  for (const part of parts) {
    for (const [name, spec] of Object.entries(part)) {
      if (name in merged) throw new Error(`API method defined twice: ${name}`);
      if (!/^[a-z]+\.[a-zA-Z]+$/.test(name)) throw new Error(`API method name must be <area>.<verb>: ${name}`);
      merged[name] = spec;
    }
  }
  return merged as UnionToIntersection<Parts[number]>;
}
