/** Bun Worker fixture for poseidon-wasm.test.ts: hashes what it is sent with getPoseidon(). */
import { getPoseidonImpl } from '../../circuits/lib/poseidon.ts';

declare const self: Worker;

self.onmessage = async (event: MessageEvent<string[][]>) => {
  const { impl, hash } = await getPoseidonImpl();
  self.postMessage({ impl, hashes: event.data.map((inputs) => hash(inputs.map(BigInt)).toString()) });
};
