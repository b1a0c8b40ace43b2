/**
 * The worker's half of batching (worker/runtime/outbox.ts) over a real FrameChannel: with batches,
 * what one turn finished leaves as one `results` frame and one summed `pull`; a result with a proof
 * goes alone, after the batch queued before it; without batches every call is its own frame.
 */
import { expect, test } from 'bun:test';
import { entryBytes } from '../../protocol/batch.ts';
import { decodeFrame, peekFrameLength } from '../../protocol/frame.ts';
import { type ByteStream, FrameChannel } from '../../protocol/frame-channel.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { FrameHeader, ResultsHeader } from '../../protocol/messages.ts';
import { Outbox } from '../../worker/runtime/outbox.ts';

/** A stream that keeps what is written, for the test to decode. */
function capture() {
  const written: Uint8Array[] = [];
  const stream: ByteStream = {
    send: (data) => {
      written.push(data.slice());
      return true;
    },
    onDrain: async () => {},
    close: async () => {},
    abort: () => {},
    async *[Symbol.asyncIterator]() {},
  };
  const frames = async () => {
    const out: { header: FrameHeader; payload: Uint8Array }[] = [];
    for (const chunk of written) {
      for (let at = 0; at < chunk.length; ) {
        const total = peekFrameLength(chunk.subarray(at));
        if (typeof total !== 'number') throw total;
        out.push(await decodeFrame(chunk.subarray(at, at + total)));
        at += total;
      }
    }
    return out;
  };
  return { channel: new FrameChannel(stream), frames };
}

async function result(replicaId: string, output: Uint8Array, proof?: { p: number }) {
  return {
    jobId: 'j',
    taskId: `t-${replicaId}`,
    replicaId,
    kind: 'k',
    seed: 1,
    resultDigest: await sha256Hex(output),
    outputLength: output.length,
    elapsedMs: 2,
    ...(proof === undefined ? {} : { proof }),
  };
}

test('batched: one results frame and one summed pull per turn, outputs as slices', async () => {
  const { channel, frames } = capture();
  const outbox = new Outbox(channel, { batch: true });
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array([4]);
  await Promise.all([
    outbox.ack('r1'),
    outbox.result(await result('r1', a), a),
    outbox.pull(1),
    outbox.ack('r2'),
    outbox.result(await result('r2', b), b),
    outbox.failure({
      jobId: 'j',
      taskId: 't3',
      replicaId: 'r3',
      error: { code: 'KERNEL_FAILED', message: 'x' },
    }),
    outbox.pull(1),
  ]);
  const got = await frames();
  expect(got.map((f) => f.header.type)).toEqual(['results', 'pull']);
  const header = got[0]!.header as ResultsHeader;
  expect(header.acks).toEqual(['r1', 'r2']);
  expect(header.results.map((r) => entryBytes(got[0]!.payload, r))).toEqual([a, b]);
  expect(header.failures.map((f) => f.replicaId)).toEqual(['r3']);
  expect(got[1]!.header).toMatchObject({ type: 'pull', max: 2 });
});

test('batched: a result with a proof goes on its own frame, after the ack queued before it', async () => {
  const { channel, frames } = capture();
  const outbox = new Outbox(channel, { batch: true });
  const out = new Uint8Array([9]);
  await Promise.all([outbox.ack('r1'), outbox.result(await result('r1', out, { p: 1 }), out)]);
  const got = await frames();
  expect(got.map((f) => f.header.type)).toEqual(['results', 'result']);
  expect(got[0]!.header).toMatchObject({ acks: ['r1'], results: [] });
  expect(got[1]!.header).toMatchObject({ replicaId: 'r1', proof: { p: 1 } });
});

test('single frames until batches are enabled, then batches', async () => {
  const { channel, frames } = capture();
  const outbox = new Outbox(channel, { batch: false });
  const out = new Uint8Array([5, 6]);
  await Promise.all([outbox.ack('r1'), outbox.result(await result('r1', out), out), outbox.pull(1)]);
  expect((await frames()).map((f) => f.header.type)).toEqual(['ack', 'result', 'pull']);
  outbox.enableBatches();
  await Promise.all([outbox.ack('r2'), outbox.pull(3)]);
  expect((await frames()).map((f) => f.header.type)).toEqual(['ack', 'result', 'pull', 'results', 'pull']);
});
