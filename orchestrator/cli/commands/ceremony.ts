/**
 * `shardmesh ceremony`: a local powers-of-tau + phase-2 setup for every circuit, writing
 * versioned artifacts and their manifest. Slow (tens of minutes on 2 cores): the committed
 * development artifacts mean nobody needs it for the quick start. Whoever runs it holds the
 * toxic waste, so a verifier should run its own (docs/proofs.md).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { CIRCUIT_IDS, type CircuitId } from '../../../circuits/lib/params.ts';
import { log } from '../output.ts';
import { int } from './serve.ts';

export function registerCeremonyCommand(program: Command): void {
  program
    .command('ceremony')
    .description('run a local trusted setup for the circuits and write a new artifact version')
    .option('--version <n>', 'artifact version to write (kept beside the others in the manifest)', int, 1)
    .option('--circuits <ids>', `comma-separated subset of ${CIRCUIT_IDS.join(', ')}`)
    .option('--artifacts-dir <dir>', 'where artifacts and manifest.json go (default circuits/artifacts)')
    .option('--production', 'record the keys as this operator’s own, not development keys')
    .action(
      async (opts: { version: number; circuits?: string; artifactsDir?: string; production?: boolean }) => {
        const circuits = opts.circuits?.split(',') as CircuitId[] | undefined;
        for (const id of circuits ?? []) {
          if (!CIRCUIT_IDS.includes(id)) throw new InvalidArgumentError(`unknown circuit '${id}'`);
        }
        // Loaded lazily: snarkjs and the compiler are heavy and only this command needs them.
        const { runCeremony } = await import('../../../circuits/ceremony.ts');
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        const result = await runCeremony({
          version: opts.version,
          development: opts.production !== true,
          log,
          signal: controller.signal,
          ...(circuits === undefined ? {} : { circuits }),
          ...(opts.artifactsDir === undefined ? {} : { artifactsDir: opts.artifactsDir }),
        });
        for (const e of result.entries)
          console.log(`${e.circuit} v${e.version}: ${e.constraints} constraints`);
        console.log(`ceremony done: ptau 2^${result.power}`);
      },
    );
}
