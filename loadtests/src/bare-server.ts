/**
 * Benchmark baseline (a): the least an HTTP JSON answer costs on this machine —
 * Hono on @hono/node-server, no middleware, returning a fixed body. The runner
 * passes the exact body the real api sent for `/api/app/countries`, so both
 * write the same bytes.
 */
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const [bodyFile, portArg] = process.argv.slice(2);
if (!bodyFile || !portArg) throw new Error('usage: bare-server.ts <body.json> <port>');
const body = readFileSync(bodyFile, 'utf8');

const app = new Hono();
app.get('/api/app/countries', (c) => c.body(body, 200, { 'content-type': 'application/json' }));

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(portArg) }, () => {
  process.stdout.write('listening\n');
});
