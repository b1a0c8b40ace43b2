#!/usr/bin/env bun
/** `shardmesh`: the command line. Each command group lives in ./commands/. */
import { Command } from 'commander';
import { registerCeremonyCommand } from './commands/ceremony.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerJobCommands } from './commands/jobs.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerLogCommands } from './commands/log.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerVkeysCommands } from './commands/vkeys.ts';
import { log } from './output.ts';

const program = new Command('shardmesh').description('Shardmesh: a verifiable compute mesh').version('0.1.0');
registerServeCommands(program);
registerDemoCommand(program);
registerJobCommands(program);
registerDlqCommands(program);
registerKeyCommands(program);
registerCeremonyCommand(program);
registerLogCommands(program);
registerVkeysCommands(program);

program.parseAsync().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  log(
    `shardmesh: ${err instanceof Error ? err.message : String(err)}${typeof code === 'string' ? ` (${code})` : ''}`,
  );
  process.exit(1);
});
