/**
 * Applies ALLOCATOR_ENV (orchestrator/config.ts) to a long-running command. mimalloc reads its
 * options only when the process starts, so a process that lacks one re-executes itself with it:
 * execve keeps the pid, the arguments, Bun's own flags and every other variable, and it runs
 * before the command opens a file or a socket. A variable the operator set (to any value) is
 * left alone, and so is the re-executed process (it has them all): at most one re-exec.
 */
import { ALLOCATOR_ENV } from '../config.ts';

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
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(proc.env)) if (value !== undefined) env[name] = value;
  return {
    file: proc.execPath,
    args: [proc.execPath, ...proc.execArgv, ...proc.argv.slice(1)],
    env: { ...env, ...Object.fromEntries(missing) },
  };
}

/** Re-executes this process with the allocator settings when it lacks one; returns otherwise. */
export function applyAllocatorSettings(): void {
  const next = allocatorReexec();
  // process.execve exists in Bun and Node >= 23.11; without it the process runs on as it is.
  if (next !== undefined && typeof process.execve === 'function')
    process.execve(next.file, next.args, next.env);
}
