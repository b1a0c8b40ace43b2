/**
 * The browser's CPU thread bundle (/worker/cpu-thread.js): the runtime's CPU thread with a
 * global `Buffer` installed first, because task kinds may load circomlibjs (Poseidon: blake-hash
 * calls `Buffer.from` when it loads) and browsers have no Buffer. The Bun host starts
 * worker/runtime/cpu-thread.ts directly.
 */
import './buffer-global.ts';
import '../runtime/cpu-thread.ts';
