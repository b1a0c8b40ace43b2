pragma circom 2.1.0;

// Batched result binding: one proof for K tasks. Public: the root over K (taskId, digest) leaves,
// the worker and the nonce. Private: each task id and each output's `inner` value (see
// common.circom), so the proof shows knowledge of an unpublished commitment to every output,
// like K result-binding proofs over the same digests would (minus the output bytes themselves).

include "./common.circom";

template ResultBatch(K) {
    assert(K % 8 == 0);
    var NODES = K \ 8;

    signal input root;
    signal input workerId;
    signal input nonce;
    signal input taskIds[K];
    signal input inners[K];

    component digests[K];
    for (var i = 0; i < K; i++) {
        digests[i] = DigestOfInner();
        digests[i].inner <== inners[i];
    }

    // Leaves are hashed 8 (taskId, digest) pairs per Poseidon(16) node, then the nodes into the
    // root: a 2-level tree, the widest arity circomlib's Poseidon offers (fewest constraints).
    component nodes[NODES];
    for (var n = 0; n < NODES; n++) {
        nodes[n] = Poseidon(16);
        for (var j = 0; j < 8; j++) {
            nodes[n].inputs[2 * j] <== taskIds[8 * n + j];
            nodes[n].inputs[2 * j + 1] <== digests[8 * n + j].digest;
        }
    }
    component top = Poseidon(NODES);
    for (var n = 0; n < NODES; n++) {
        top.inputs[n] <== nodes[n].out;
    }
    root === top.out;

    component bindWorker = Bind();
    bindWorker.in <== workerId;
    component bindNonce = Bind();
    bindNonce.in <== nonce;
}

component main {public [root, workerId, nonce]} = ResultBatch(16);
