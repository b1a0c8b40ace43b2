pragma circom 2.1.0;

// Templates shared by the Shardmesh circuits. The TypeScript twins live in circuits/lib/digest.ts
// and circuits/lib/batch.ts; any change here must change those (tests compare them).

include "circomlib/circuits/poseidon.circom";

// Output digest, part 1: a chained Poseidon(16) sponge over [outputLen, limbs...], 15 limbs per
// call. Its result ("inner") stays private: the public digest is Poseidon(inner), so a proof that
// knows `inner` shows knowledge of a value that is never published, not just of the digest.
template LimbSponge(CHUNKS) {
    signal input outputLen;
    signal input limbs[CHUNKS * 15];
    signal output inner;

    component h[CHUNKS];
    for (var c = 0; c < CHUNKS; c++) {
        h[c] = Poseidon(16);
        h[c].inputs[0] <== c == 0 ? outputLen : h[c - 1].out;
        for (var j = 0; j < 15; j++) {
            h[c].inputs[j + 1] <== limbs[c * 15 + j];
        }
    }
    inner <== h[CHUNKS - 1].out;
}

// Output digest, part 2: resultDigest = Poseidon(inner).
template DigestOfInner() {
    signal input inner;
    signal output digest;
    component h = Poseidon(1);
    h.inputs[0] <== inner;
    digest <== h.out;
}

// Puts a public input into a quadratic constraint. Public inputs already enter the verification
// equation, but a constraint that uses them keeps an optimizer (or a future refactor) from
// detaching them; this is the usual pattern for signals such as a worker id or a nonce.
template Bind() {
    signal input in;
    signal sq;
    sq <== in * in;
}
