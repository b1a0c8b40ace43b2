pragma circom 2.1.0;

// Batched result binding: one proof for K = 64 tasks. Public: the root over K leaves, the worker
// and the nonce. Private: the leaves. A leaf is a tagged SHA-256 of one task's id and output
// (circuits/lib/batch.ts: batchLeafDigest) that no frame, log record or API ever carries: the
// verifier recomputes each from its own task records and the output bytes it received, so the
// proof shows the prover knew all K of them, bound to its worker id and the batch nonce. Nothing
// of an output is hashed in the circuit, which is what lets K = 64 fit a 2^12 ceremony.

include "./common.circom";

template ResultBatch(K) {
    assert(K % 16 == 0 && K <= 256);
    var NODES = K \ 16;

    signal input root;
    signal input workerId;
    signal input nonce;
    signal input leaves[K];

    // 16 leaves per Poseidon(16) node, then the nodes, padded with zeros to 16 inputs, into the
    // root: circomlib's widest Poseidon gives the fewest constraints per input (~38), and one
    // width keeps the TypeScript twin to one Poseidon.
    component nodes[NODES];
    for (var n = 0; n < NODES; n++) {
        nodes[n] = Poseidon(16);
        for (var j = 0; j < 16; j++) {
            nodes[n].inputs[j] <== leaves[16 * n + j];
        }
    }
    component top = Poseidon(16);
    for (var i = 0; i < 16; i++) {
        top.inputs[i] <== i < NODES ? nodes[i].out : 0;
    }
    root === top.out;

    component bindWorker = Bind();
    bindWorker.in <== workerId;
    component bindNonce = Bind();
    bindNonce.in <== nonce;
}

component main {public [root, workerId, nonce]} = ResultBatch(64);
