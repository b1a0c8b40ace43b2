/**
 * `shardmesh vkeys list|add|retire`: the verification-key versions a running orchestrator accepts
 * (`shardmesh keys` is the researchers' API keys). Changes apply without a restart.
 */
import type { Command } from 'commander';
import { print, table } from '../output.ts';
import { type ClientOpts, clientFrom, withClientOptions } from './client-options.ts';

/** `<version>` as a positive integer (commander hands over strings). */
function versionOf(text: string): number {
  const version = Number(text);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new TypeError(`version must be a positive integer, got '${text}'`);
  }
  return version;
}

export function registerVkeysCommands(program: Command): void {
  const vkeys = program
    .command('vkeys')
    .description('verification-key versions for proofs (add a new ceremony version, retire an old one)');

  withClientOptions(vkeys.command('list').description('active versions')).action(async (opts: ClientOpts) => {
    const res = await clientFrom(opts).verificationKeys();
    print(res, opts, () =>
      [
        table(
          res.versions.map((v) => ({
            circuit: v.circuit,
            version: v.version,
            vkey: v.vkeySha256.slice(0, 16),
          })),
          ['circuit', 'version', 'vkey'],
        ),
        res.development ? '(development keys: see docs/proofs.md, "Ceremony and trust model")' : '',
      ]
        .filter((line) => line.length > 0)
        .join('\n'),
    );
  });

  withClientOptions(
    vkeys
      .command('add')
      .description(
        "activate a version from the orchestrator's artifacts manifest (e.g. after `shardmesh ceremony`)",
      )
      .argument('<circuit>', 'result_binding, poseidon_chain or result_batch')
      .argument('<version>'),
  ).action(async (circuit: string, version: string, opts: ClientOpts) => {
    const res = await clientFrom(opts).addVerificationKey(circuit, versionOf(version));
    print(res, opts, () => `${res.circuit} v${res.version} active`);
  });

  withClientOptions(
    vkeys
      .command('retire')
      .description('refuse proofs made with this version from now on (PROOF_VERSION_RETIRED)')
      .argument('<circuit>')
      .argument('<version>'),
  ).action(async (circuit: string, version: string, opts: ClientOpts) => {
    const res = await clientFrom(opts).retireVerificationKey(circuit, versionOf(version));
    print(res, opts, () => `${res.circuit} v${res.version} retired`);
  });
}
