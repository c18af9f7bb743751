import type { ServerResponse } from 'node:http';

/**
 * Where an SSE connection's bytes go: the Node response itself (the server: each write is one
 * `write` on its socket, no stream machinery in between) or a web stream (an in-process
 * `app.fetch`, as tests call the app).
 */
export interface FrameOutput {
  write(frame: Uint8Array): void;
  /** Bytes written that the client has not taken yet, beyond what the OS holds for it. */
  queuedBytes(): number;
  /** Ends the response once what is queued has gone. */
  end(): void;
  /** Drops the connection and whatever waits in it. */
  destroy(): void;
  /** `listener` runs once when the client goes away or the output ends. */
  onClose(listener: () => void): void;
}

/** A response whose head is already written; `writableLength` counts its and its socket's queue. */
export function nodeOutput(response: ServerResponse): FrameOutput {
  return {
    write: (frame) => {
      // A client gone since the last write: its 'close' (which detaches it) is on its way.
      if (!response.destroyed) response.write(frame);
    },
    queuedBytes: () => response.writableLength,
    end: () => response.end(),
    destroy: () => response.destroy(),
    onClose: (listener) => {
      response.once('close', listener);
    },
  };
}

/** A web stream to answer with (`body`); bytes enqueued and not yet read count as queued. */
export function webOutput(): { output: FrameOutput; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const listeners: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    for (const listener of listeners) listener();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      cancel: close,
    },
    // Nothing is held ahead of the reader: desiredSize is minus the bytes waiting.
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  const output: FrameOutput = {
    write: (frame) => {
      if (!closed) controller.enqueue(frame);
    },
    queuedBytes: () => (closed ? 0 : -(controller.desiredSize ?? 0)),
    end: () => {
      if (closed) return;
      controller.close();
      close();
    },
    destroy: () => {
      if (closed) return;
      controller.error(new Error('live stream dropped'));
      close();
    },
    onClose: (listener) => {
      listeners.push(listener);
    },
  };
  return { output, body };
}
