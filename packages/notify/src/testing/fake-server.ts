import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake provider does with one message: accept it, answer an error, or never answer. */
export type FakeAnswer = 'accept' | 'hang' | { status: number; body: unknown };

/** A message a fake provider accepted, with the time it arrived (for latency). */
export interface Accepted<M> {
  message: M;
  at: number;
}

/**
 * An HTTP server on a free local port, the base of the fake Twilio and FCM servers: routes of
 * one provider's wire format, what each accepted, and a hook deciding each message's fate.
 */
export abstract class FakeProviderServer<M> {
  readonly accepted: Accepted<M>[] = [];
  /** Decides each message's answer (call: the how-many-th message to this recipient, from 1). */
  answer: (message: M, call: number) => FakeAnswer = () => 'accept';
  readonly #calls = new Map<string, number>();
  readonly #hanging = new Set<ServerResponse>();
  #server: Server | null = null;
  url = '';

  protected abstract route(request: IncomingMessage, body: string, response: ServerResponse): unknown;

  async start(): Promise<this> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        Promise.resolve(this.route(request, Buffer.concat(chunks).toString('utf8'), response)).catch(
          (error) => {
            this.json(response, 500, { error: String(error) });
          },
        );
      });
    });
    this.#server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Runs the answer hook for a parsed message; on accept, records it and answers `accepted(id)`. */
  protected decide(
    message: M,
    recipient: string,
    response: ServerResponse,
    accepted: (sequence: number) => { status: number; body: unknown },
  ): unknown {
    const call = (this.#calls.get(recipient) ?? 0) + 1;
    this.#calls.set(recipient, call);
    const answer = this.answer(message, call);
    if (answer === 'hang') {
      this.#hanging.add(response);
      return;
    }
    if (answer !== 'accept') return this.json(response, answer.status, answer.body);
    this.accepted.push({ message, at: Date.now() });
    const reply = accepted(this.accepted.length);
    this.json(response, reply.status, reply.body);
  }

  protected json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
