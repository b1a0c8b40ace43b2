/**
 * `shardmesh vkeys list|add|retire` against a real orchestrator process: versions retired and
 * re-added while it runs, with the REST error codes on stderr.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type CliOrchestrator, startCliOrchestrator } from '../helpers/cli-orchestrator.ts';

let orchestrator: CliOrchestrator;
let dir: { path: string };
const cli = (...args: string[]) => orchestrator.cli(...args);

beforeAll(async () => {
  orchestrator = await startCliOrchestrator();
  dir = { path: orchestrator.dataDir };
  const created = await cli('keys', 'create', 'admin', '--data-dir', dir.path, '--json');
  orchestrator.env.SHARDMESH_API_KEY = (JSON.parse(created.stdout) as { token: string }).token;
}, 30_000);
afterAll(() => orchestrator.stop());

const active = async () =>
  (
    JSON.parse((await cli('vkeys', 'list', '--json')).stdout) as { versions: Array<{ circuit: string }> }
  ).versions
    .map((v) => v.circuit)
    .sort();

describe('shardmesh vkeys', () => {
  test('list, retire, add while the orchestrator runs', async () => {
    expect(await active()).toEqual(['poseidon_chain', 'result_batch', 'result_binding']);
    const human = await cli('vkeys', 'list');
    expect(human.stdout).toContain('development keys');

    const retired = await cli('vkeys', 'retire', 'result_batch', '1');
    expect(retired).toMatchObject({ code: 0, stdout: expect.stringContaining('result_batch v1 retired') });
    expect(await active()).toEqual(['poseidon_chain', 'result_binding']);

    const twice = await cli('vkeys', 'retire', 'result_batch', '1');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('(NOT_FOUND)');

    const added = await cli('vkeys', 'add', 'result_batch', '1');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('result_batch v1 active') });
    expect(await active()).toEqual(['poseidon_chain', 'result_batch', 'result_binding']);
  }, 60_000);

  test('unknown circuits and versions are refused with their codes', async () => {
    const circuit = await cli('vkeys', 'add', 'sha256', '1');
    expect(circuit.code).toBe(1);
    expect(circuit.stderr).toContain('(BAD_REQUEST)');
    const version = await cli('vkeys', 'add', 'result_binding', '7');
    expect(version.stderr).toContain('(NOT_FOUND)');
  }, 30_000);
});
