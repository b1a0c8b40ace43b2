/**
 * Applies ALLOCATOR_ENV (orchestrator/config.ts) to a long-running command. mimalloc reads its
 * options only when the process starts, so a process that lacks one re-executes itself with it:
 * execve keeps the pid, the arguments, Bun's own flags and every other variable, and it runs
 * before the command opens a file or a socket. A variable the operator set (to any value) is
 * left alone, and so is the re-executed process (it has them all): at most one re-exec.
 */
import { ALLOCATOR_ENV } from '../config.ts';
import { definedEnv } from './env.ts';

export interface Reexec {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** The execve that applies the allocator settings, or undefined when there is nothing to apply. */
export function allocatorReexec(
  proc: Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv' | 'env'> = process,
): Reexec | undefined {
  const missing = Object.entries(ALLOCATOR_ENV).filter(([name]) => proc.env[name] === undefined);
  if (missing.length === 0) return undefined;
  return {
    file: proc.execPath,
    args: [proc.execPath, ...proc.execArgv, ...proc.argv.slice(1)],
    env: definedEnv({ ...proc.env, ...Object.fromEntries(missing) }),
  };
}

/**
 * Re-executes this process with the allocator settings when it lacks one; returns otherwise,
 * also when it cannot (no process.execve, which Bun and Node >= 23.11 have, or a refused execve):
 * the settings only save CPU, so the process then runs on as it is, saying so through `log`.
 */
export function applyAllocatorSettings(log: (line: string) => void = () => {}): void {
  const next = allocatorReexec();
  if (next === undefined) return;
  if (typeof process.execve !== 'function') {
    log('allocator settings not applied: no process.execve');
    return;
  }
  try {
    process.execve(next.file, next.args, next.env);
  } catch (err) {
    log(`allocator settings not applied: ${err instanceof Error ? err.message : String(err)}`);
  }
}
