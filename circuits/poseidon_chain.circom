pragma circom 2.1.0;

// Poseidon chain: the circuit computes the task itself. x0 = Poseidon(taskId, seed),
// x_i = Poseidon(x_{i-1}) for i = 1..LENGTH, result = x_LENGTH. The TypeScript reference is
// computePoseidonChain in circuits/lib/poseidon-chain.ts.

include "./common.circom";

template PoseidonChain(LENGTH) {
    signal input taskId;
    signal input seed;
    signal input result;
    signal input workerId;
    signal input nonce;

    component start = Poseidon(2);
    start.inputs[0] <== taskId;
    start.inputs[1] <== seed;

    component step[LENGTH];
    for (var i = 0; i < LENGTH; i++) {
        step[i] = Poseidon(1);
        step[i].inputs[0] <== i == 0 ? start.out : step[i - 1].out;
    }
    result === step[LENGTH - 1].out;

    component bindWorker = Bind();
    bindWorker.in <== workerId;
    component bindNonce = Bind();
    bindNonce.in <== nonce;
}

component main {public [taskId, seed, result, workerId, nonce]} = PoseidonChain(16);
