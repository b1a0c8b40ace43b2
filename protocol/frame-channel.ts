/**
 * Frames over a byte stream (a libp2p stream, or anything shaped like one).
 *
 * Frames are self-delimiting: the 14-byte prefix carries both lengths, so the reader needs no
 * extra length prefix. Sizes are checked from the prefix before any payload is buffered, so a
 * peer that claims a 4 GB frame costs us 14 bytes, not 4 GB. A frame whose envelope is broken
 * (bad magic, oversized) makes the rest of the stream unreadable: the reader reports the error
 * and stops. A frame that is well delimited but invalid inside (bad header, digest mismatch) is
 * reported and skipped, so one bad frame does not end a worker's session.
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
}

/** What the reader yields: a decoded frame, or the typed reason one could not be decoded. */
export type Incoming = { frame: Frame; error?: undefined } | { frame?: undefined; error: FrameError };

export class FrameChannel {
  private readonly maxPayloadBytes: number;

  constructor(
    private readonly stream: ByteStream,
    opts: FrameChannelOptions = {},
  ) {
    this.maxPayloadBytes = Math.min(opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
  }

  /** Encodes and sends one frame, waiting for the stream to drain when its buffer is full. */
  async send(
    header: FrameHeaderInput,
    payload?: Uint8Array,
    opts: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const bytes = await encodeFrame(header, payload, opts);
    if (!this.stream.send(bytes)) await this.stream.onDrain(opts);
  }

  /** Yields incoming frames (or their decoding errors) until the stream ends or `signal` fires. */
  async *incoming(opts: { signal?: AbortSignal } = {}): AsyncGenerator<Incoming> {
    const buffer = new Uint8ArrayList();
    for await (const chunk of this.stream) {
      if (opts.signal?.aborted) throw new AbortError();
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
  }

  async close(opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.stream.close(opts);
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
