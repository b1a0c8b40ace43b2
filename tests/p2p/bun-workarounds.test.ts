import { afterEach, describe, expect, test } from 'bun:test';
import { createCipheriv, getCiphers } from 'node:crypto';
import type { Libp2p } from '@libp2p/interface';
import { bunSafeNoiseCrypto, isBun } from '../../orchestrator/p2p/bun-workarounds.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';

const ECHO = '/shardmesh-test/echo/1.0.0';
let nodes: Libp2p[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

describe('noise chacha20-poly1305 workaround', () => {
  test('is still needed: Bun node:crypto cannot create a chacha20-poly1305 cipher', () => {
    expect(isBun).toBe(true);
    // When this starts passing without throwing, drop the workaround in bun-workarounds.ts.
    const make = () =>
      createCipheriv('chacha20-poly1305', new Uint8Array(32), new Uint8Array(12), { authTagLength: 16 });
    expect(make).toThrow();
    expect(getCiphers()).not.toContain('chacha20-poly1305');
  });

  test('the replacement cipher round-trips', () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const nonce = new Uint8Array(12);
    const plain = crypto.getRandomValues(new Uint8Array(5000));
    const sealed = bunSafeNoiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, new Uint8Array(0), key);
    const opened = bunSafeNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, new Uint8Array(0), key);
    expect(Buffer.from(opened.subarray()).equals(Buffer.from(plain))).toBe(true);
  });

  test('a 1 MiB message crosses a Noise connection between two Bun nodes', async () => {
    const server = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
    const client = await createNode();
    nodes = [server, client];
    await server.handle(ECHO, async (stream) => {
      for await (const chunk of stream) stream.send(chunk);
      await stream.close();
    });
    const stream = await client.dialProtocol(server.getMultiaddrs()[0]!, ECHO);
    const message = crypto.getRandomValues(new Uint8Array(65536));
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < 16; i++) big.set(message, i * 65536);
    stream.send(big);
    await stream.close();
    let received = 0;
    const parts: Uint8Array[] = [];
    for await (const chunk of stream) {
      const bytes = chunk.subarray();
      parts.push(bytes);
      received += bytes.length;
    }
    expect(received).toBe(big.length);
    expect(Buffer.concat(parts).equals(Buffer.from(big))).toBe(true);
  });
});
