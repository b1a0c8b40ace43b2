pragma circom 2.1.0;

// Result binding: the prover knows output limbs whose digest is resultDigest, for this task,
// seed, worker and nonce. See docs/proofs.md for what this does and does not prove.

include "circomlib/circuits/bitify.circom";
include "./common.circom";

template ResultBinding(CHUNKS) {
    signal input taskId;
    signal input seed;
    signal input outputLen;
    signal input resultDigest;
    signal input workerId;
    signal input nonce;
    // Private: the output (or, above the inline limit, its SHA-256) packed 31 bytes per limb.
    signal input limbs[CHUNKS * 15];

    // outputLen is a u32: without this a prover could pick any field element as the length.
    component lenBits = Num2Bits(32);
    lenBits.in <== outputLen;

    component sponge = LimbSponge(CHUNKS);
    sponge.outputLen <== outputLen;
    sponge.limbs <== limbs;

    component digest = DigestOfInner();
    digest.inner <== sponge.inner;
    resultDigest === digest.digest;

    component bindTask = Bind();
    bindTask.in <== taskId;
    component bindSeed = Bind();
    bindSeed.in <== seed;
    component bindWorker = Bind();
    bindWorker.in <== workerId;
    component bindNonce = Bind();
    bindNonce.in <== nonce;
}

// 6 chunks x 15 limbs x 31 bytes = 2790 bytes inline (circuits/lib/params.ts).
component main {public [taskId, seed, outputLen, resultDigest, workerId, nonce]} = ResultBinding(6);
