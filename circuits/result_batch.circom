pragma circom 2.1.0;

// Batched result binding: one proof for K = 64 tasks. Public: the root over K (taskId, leafDigest)
// leaves, the worker and the nonce. Private: every task id and every leaf digest. A leaf digest is
// a tagged SHA-256 of the task's output (circuits/lib/batch.ts: batchLeafDigest) that no frame, log
// record or API ever carries: the verifier recomputes each one from the output bytes it received,
// so the proof shows the prover knew all K of them, bound to its worker id and the batch nonce.
// No hash of an output runs in the circuit, which is what lets K = 64 fit a 2^13 ceremony.

include "./common.circom";

template ResultBatch(K) {
    assert(K % 8 == 0 && K <= 128);
    var NODES = K \ 8;

    signal input root;
    signal input workerId;
    signal input nonce;
    signal input taskIds[K];
    signal input leafDigests[K];

    // Leaves are hashed 8 (taskId, leafDigest) pairs per Poseidon(16) node, then the nodes, padded
    // with zeros to 16 inputs, into the root: circomlib's widest Poseidon gives the fewest
    // constraints per input (~38), and one width keeps the TypeScript twin to one Poseidon.
    component nodes[NODES];
    for (var n = 0; n < NODES; n++) {
        nodes[n] = Poseidon(16);
        for (var j = 0; j < 8; j++) {
            nodes[n].inputs[2 * j] <== taskIds[8 * n + j];
            nodes[n].inputs[2 * j + 1] <== leafDigests[8 * n + j];
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
