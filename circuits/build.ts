/**
 * `bun circuits/build.ts [circuit...]`: compiles the circuits and prints their constraint counts
 * and the powers-of-tau size each needs. No keys are made here: see ceremony.ts.
 */
import { compileCircuit, requiredPower } from './compile.ts';
import { CIRCUIT_IDS, type CircuitId } from './lib/params.ts';

if (import.meta.main) {
  const wanted = process.argv.slice(2);
  const circuits = wanted.length > 0 ? (wanted as CircuitId[]) : CIRCUIT_IDS;
  for (const circuit of circuits) {
    if (!CIRCUIT_IDS.includes(circuit))
      throw new Error(`unknown circuit ${circuit}; known: ${CIRCUIT_IDS.join(', ')}`);
    const started = performance.now();
    const c = await compileCircuit(circuit);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${circuit}: ${c.constraints} constraints, ${c.publicInputs} public inputs, needs ptau 2^${requiredPower(c)} (compiled in ${seconds} s)`,
    );
  }
}
