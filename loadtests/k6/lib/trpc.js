// tRPC over plain HTTP, as a client without the TypeScript packages speaks it: inputs and
// outputs are superjson-encoded (`{ json, meta }`), queries are GETs with `?input=`, mutations
// POSTs, and `?batch=1` carries several calls in one request, answered as an array in order.

import { check } from 'k6';
import http from 'k6/http';
import { BASE_URL } from './config.js';
import { authHeader } from './http.js';

/**
 * superjson's encoding of a value: plain JSON, plus `meta.values` naming the paths of values JSON
 * cannot carry (here Dates, the only such type the api's inputs take). Paths join keys with '.'.
 */
export function encode(value) {
  const values = {};
  const walk = (v, path) => {
    if (v instanceof Date) {
      values[path.join('.')] = ['Date'];
      return v.toISOString();
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, path.concat(String(i))));
    if (v !== null && typeof v === 'object') {
      const out = {};
      for (const key of Object.keys(v)) if (v[key] !== undefined) out[key] = walk(v[key], path.concat(key));
      return out;
    }
    return v;
  };
  const json = walk(value, []);
  return Object.keys(values).length ? { json, meta: { values } } : { json };
}

/** Decodes `{ json, meta }`: Dates, undefined, bigints and big numbers where `meta.values` says. */
export function decode(payload) {
  if (!payload || typeof payload !== 'object' || !('json' in payload)) return payload;
  let json = payload.json;
  const values = payload.meta && payload.meta.values;
  if (!values) return json;
  const apply = (annotation, value) => {
    const type = Array.isArray(annotation) ? annotation[0] : annotation;
    if (type === 'Date') return new Date(value);
    if (type === 'undefined') return undefined;
    if (type === 'bigint') return Number(value);
    if (type === 'number') return Number(value); // NaN / Infinity, sent as text
    return value;
  };
  // meta.values is either a tree of annotations by key, or (for a top-level value) one annotation.
  const visit = (node, annotations) => {
    if (Array.isArray(annotations) && typeof annotations[0] === 'string') return apply(annotations, node);
    if (node === null || typeof node !== 'object') return node;
    for (const key of Object.keys(annotations)) {
      const path = key.split('.');
      let parent = node;
      for (let i = 0; i < path.length - 1 && parent; i += 1) parent = parent[path[i]];
      const last = path[path.length - 1];
      if (parent && last in parent) parent[last] = visit(parent[last], annotations[key]);
    }
    return node;
  };
  json = visit(json, values);
  return json;
}

// '+' joins a batch's procedures: a ',' would end the tag in a threshold's name.
const tagOf = (procedures, kind) => ({ name: `trpc ${procedures.join('+')}`, kind });

function checked(res, procedures, kind, answers) {
  const tags = tagOf(procedures, kind);
  check(
    res,
    {
      [`${tags.name} status 200`]: (r) => r.status === 200,
      [`${tags.name} results`]: () => answers.length === procedures.length && answers.every((a) => a.ok),
    },
    tags,
  );
}

/** One answer of a call: `{ ok, data }` or `{ ok: false, error }` (the error's `data.appCode` says why). */
function answerOf(entry) {
  if (entry && entry.result) return { ok: true, data: decode(entry.result.data) };
  return { ok: false, error: entry && entry.error ? decode(entry.error) : entry };
}

function parse(res) {
  try {
    // JSON.parse, not res.json(): that one hands back Go-backed objects, which keep no Date put into them.
    return JSON.parse(res.body);
  } catch (_) {
    return null;
  }
}

/** A query: `trpcQuery('stations.nearby', { lat, lng })` → `{ ok, data }`. */
export function trpcQuery(procedure, input, { token, kind = 'read' } = {}) {
  return trpcBatch([[procedure, input]], { token, kind, batch: false })[0];
}

/** A mutation: POST with the superjson-encoded input as the body. */
export function trpcMutation(procedure, input, { token, kind = 'write' } = {}) {
  const res = http.post(`${BASE_URL}/trpc/${procedure}`, JSON.stringify(encode(input)), {
    headers: Object.assign({ 'Content-Type': 'application/json' }, authHeader(token)),
    tags: tagOf([procedure], kind),
  });
  const body = parse(res);
  const answers = [answerOf(body)];
  checked(res, [procedure], kind, answers);
  return answers[0];
}

/**
 * Several queries in one GET (`/trpc/a,b?batch=1&input={"0":…,"1":…}`), answered in order:
 * `trpcBatch([['app.version', {}], ['content.countries', {}]])` → `[{ ok, data }, …]`.
 */
export function trpcBatch(calls, { token, kind = 'read', batch = true } = {}) {
  const procedures = calls.map((c) => c[0]);
  let url;
  if (batch) {
    const inputs = {};
    calls.forEach((c, i) => {
      inputs[i] = encode(c[1] === undefined ? {} : c[1]);
    });
    url = `${BASE_URL}/trpc/${procedures.join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  } else {
    const input = calls[0][1];
    url = `${BASE_URL}/trpc/${procedures[0]}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(encode(input)))}`}`;
  }
  const res = http.get(url, { headers: authHeader(token), tags: tagOf(procedures, kind) });
  const body = parse(res);
  const answers = (batch ? (Array.isArray(body) ? body : []) : [body]).map(answerOf);
  checked(res, procedures, kind, answers);
  return answers;
}
