/**
 * Frames over a byte stream (a libp2p stream, or anything shaped like one).
 *
 * Frames are self-delimiting: the 14-byte prefix carries both lengths, so the reader needs no
 * extra length prefix. Sizes are checked from the prefix before any payload is buffered, so a
 * peer that claims a 4 GB frame costs us 14 bytes, not 4 GB. A frame whose envelope is broken
 * (bad magic, oversized) makes the rest of the stream unreadable: the reader reports the error
 * and stops. A frame that is well delimited but invalid inside (bad header, digest mismatch) is
 * reported and skipped, so one bad frame does not end a worker's session.
 *
 * Sending coalesces: frames sent in the same turn of the event loop leave as one write, so a burst
 * (an orchestrator answering many frames at once, a worker's result followed by its next pull)
 * costs one trip through Yamux, Noise and the socket instead of one per frame. Frames keep the
 * order of the send() calls, and each send resolves once its bytes were handed to the stream.
 */
import { Uint8ArrayList } from 'uint8arraylist';
import { AbortError, ErrorCode, FrameError, isShardmeshError } from './errors.ts';
import { decodeFrame, encodeFrame, type Frame, type FrameHeaderInput, peekFrameLength } from './frame.ts';
import { FRAME_PREFIX_BYTES, MAX_PAYLOAD_BYTES } from './limits.ts';

/** The part of a libp2p MessageStream the channel uses. */
export interface ByteStream extends AsyncIterable<Uint8Array | { subarray(): Uint8Array }> {
  send(data: Uint8Array): boolean;
  onDrain(options?: { signal?: AbortSignal }): Promise<void>;
  close(options?: { signal?: AbortSignal }): Promise<void>;
  abort(err: Error): void;
}

export interface FrameChannelOptions {
  /** Lower than the protocol's hard limit for this peer, never higher. */
  maxPayloadBytes?: number;
  /**
   * When queued frames are written. Default: at the end of this turn of the event loop
   * (setImmediate where it exists, else a zero timeout), so everything sent while handling one
   * burst of input leaves in one write.
   */
  schedule?: (write: () => void) => void;
}

const endOfTurn = (fn: () => void): void => {
  if (typeof globalThis.setImmediate === 'function') globalThis.setImmediate(fn);
  else setTimeout(fn, 0);
};

/** What the reader yields: a decoded frame, or the typed reason one could not be decoded. */
export type Incoming = { frame: Frame; error?: undefined } | { frame?: undefined; error: FrameError };

/** Frames are gathered into one write up to this size; a larger frame is written on its own. */
const COALESCE_MAX_BYTES = 256 * 1024;

interface QueuedFrame {
  encoded: Promise<Uint8Array>;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
}

export class FrameChannel {
  private readonly maxPayloadBytes: number;
  private queue: QueuedFrame[] = [];
  private flushing: Promise<void> | undefined;
  private readonly schedule: (write: () => void) => void;

  constructor(
    private readonly stream: ByteStream,
    opts: FrameChannelOptions = {},
  ) {
    this.maxPayloadBytes = Math.min(opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
    this.schedule = opts.schedule ?? endOfTurn;
  }

  /**
   * Encodes and sends one frame, waiting for the stream to drain when its buffer is full. The frame
   * is queued at once (call order is wire order) and written with the others of this turn.
   */
  send(header: FrameHeaderInput, payload?: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const encoded = encodeFrame(header, payload, opts);
    encoded.catch(() => {}); // reported through this send's promise, by the flush
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ encoded, resolve, reject, signal: opts.signal });
      this.flushing ??= this.flush();
    });
  }

  /** Yields incoming frames (or their decoding errors) until the stream ends or `signal` fires. */
  async *incoming(opts: { signal?: AbortSignal } = {}): AsyncGenerator<Incoming> {
    const buffer = new Uint8ArrayList();
    const chunks = this.stream[Symbol.asyncIterator]();
    let ended = false;
    try {
      while (true) {
        // Raced with the signal: an idle peer sends nothing, and waiting for its next chunk would
        // hold the reader (and an orchestrator's stop()) open forever.
        const next = await untilAborted(chunks.next(), opts.signal);
        if (next.done === true) {
          ended = true;
          return;
        }
        const chunk = next.value;
        buffer.append(chunk instanceof Uint8Array ? chunk : chunk.subarray());
        while (buffer.byteLength >= FRAME_PREFIX_BYTES) {
          const total = peekFrameLength(buffer.subarray(0, FRAME_PREFIX_BYTES), {
            maxPayloadBytes: this.maxPayloadBytes,
          });
          if (typeof total !== 'number') {
            yield { error: total };
            return; // framing lost: nothing after this point can be trusted to line up
          }
          if (buffer.byteLength < total) break;
          const bytes = buffer.subarray(0, total);
          buffer.consume(total);
          yield await this.decode(bytes, opts.signal);
        }
      }
    } finally {
      // As `for await` would: an early exit (framing lost, the consumer stopped, abort) releases
      // the stream's reader. Not awaited: it may wait for a read still pending on an idle peer.
      if (!ended) chunks.return?.()?.catch(() => {});
    }
  }

  /** Closes our end once every frame queued so far has been written. */
  async close(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.flushing !== undefined) await untilAborted(this.flushing, opts.signal);
    await this.stream.close(opts);
  }

  /** Writes queued frames, one stream write per batch, until the queue is empty. */
  private async flush(): Promise<void> {
    try {
      // Every send() of the current turn joins the batch.
      await new Promise<void>((resolve) => this.schedule(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        let parts: Uint8Array[] = [];
        let sent: QueuedFrame[] = [];
        let size = 0;
        for (const frame of batch) {
          let bytes: Uint8Array;
          try {
            bytes = await frame.encoded;
          } catch (err) {
            frame.reject(err); // an invalid header or an aborted send fails alone
            continue;
          }
          // Large frames are not copied into a batch: the ones before them go first, then them alone.
          if (size > 0 && size + bytes.byteLength > COALESCE_MAX_BYTES) {
            await this.write(concat(parts), sent);
            parts = [];
            sent = [];
            size = 0;
          }
          parts.push(bytes);
          sent.push(frame);
          size += bytes.byteLength;
        }
        if (parts.length > 0) await this.write(concat(parts), sent);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(bytes: Uint8Array, frames: QueuedFrame[]): Promise<void> {
    try {
      if (!this.stream.send(bytes)) await this.stream.onDrain(drainSignal(frames));
      for (const frame of frames) frame.resolve();
    } catch (err) {
      for (const frame of frames) frame.reject(err);
    }
  }

  private async decode(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<Incoming> {
    try {
      return { frame: await decodeFrame(bytes, { maxPayloadBytes: this.maxPayloadBytes, signal }) };
    } catch (err) {
      if (err instanceof FrameError) return { error: err };
      if (isShardmeshError(err) && err.code === ErrorCode.Aborted) throw err;
      return { error: new FrameError(ErrorCode.FrameHeaderInvalid, String(err)) };
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Waiting for drain stops when any sender in the batch gives up (its signal fired). */
function drainSignal(frames: QueuedFrame[]): { signal?: AbortSignal } {
  const signals = [...new Set(frames.map((f) => f.signal).filter((s) => s !== undefined))];
  if (signals.length === 0) return {};
  return { signal: signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals) };
}

/** Waits for `work`, or rejects with AbortError once `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
