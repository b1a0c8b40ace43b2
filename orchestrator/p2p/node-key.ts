/**
 * The orchestrator's persistent libp2p identity: an Ed25519 key stored in the data directory, so
 * its peer id (and the multiaddr workers dial) survives restarts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export async function loadOrCreateNodeKey(path: string): Promise<PrivateKey> {
  if (existsSync(path)) return privateKeyFromProtobuf(readFileSync(path));
  const key = await generateKeyPair('Ed25519');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, privateKeyToProtobuf(key), { mode: 0o600 });
  chmodSync(path, 0o600);
  return key;
}
