/**
 * Bun workaround 2 (orchestrator/p2p/bun-workarounds.ts): closing an http.Server that never
 * listened emits no 'close' on Bun, which hangs libp2p.stop() once @libp2p/websockets listens.
 * The first test fails the day Bun fixes this: then drop the workaround.
 */
import { describe, expect, test } from 'bun:test';
import http from 'node:http';
import {
  installHttpServerCloseWorkaround,
  isBun,
  originalHttpServerClose,
} from '../../orchestrator/p2p/bun-workarounds.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';

function closeEmits(close: (this: http.Server) => unknown): Promise<boolean> {
  const server = http.createServer();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 100);
    server.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    close.call(server);
  });
}

describe('http.Server.close() workaround', () => {
  test("is still needed: Bun's own close() of a never-listening server emits no 'close'", async () => {
    expect(isBun).toBe(true);
    installHttpServerCloseWorkaround();
    // When this starts emitting, Bun behaves like Node: remove workaround 2.
    expect(await closeEmits(originalHttpServerClose())).toBe(false);
  });

  test("with the workaround, close() of a never-listening server emits 'close' exactly once", async () => {
    installHttpServerCloseWorkaround();
    let count = 0;
    const server = http.createServer();
    server.on('close', () => count++);
    server.close();
    await Bun.sleep(50);
    expect(count).toBe(1);
  });

  test('a node listening on WebSockets accepts a dial over ws and stops promptly', async () => {
    const server = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] });
    const client = await createNode();
    const ws = server.getMultiaddrs().find((ma) => ma.toString().includes('/ws/'));
    if (ws === undefined) throw new Error('no /ws address');
    const connection = await client.dial(ws);
    expect(connection.remoteAddr.toString()).toContain('/ws');
    await client.stop();
    const stopped = await Promise.race([
      Promise.resolve(server.stop()).then(() => true),
      Bun.sleep(5_000).then(() => false),
    ]);
    expect(stopped).toBe(true);
  });
});
