/**
 * A task's time limit, apart from the task loop: the executor is told to stop and the loop stops
 * waiting at the same moment, whatever the executor does.
 */
import { AbortError, ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import type { TaskExecutor } from './executor.ts';

/**
 * Runs the task under its time limit. The executor is told to stop (its signal fires) and the
 * loop stops waiting at the same moment, whatever the executor does. A kernel that blocked this
 * thread past the limit (inline CPU) is caught after it returns.
 */
export async function computeWithTimeout(
  task: TaskHeader,
  payload: Uint8Array,
  executor: TaskExecutor,
  cancel: AbortSignal,
  timeoutMs: number,
) {
  const timeout = AbortSignal.timeout(timeoutMs);
  const taskSignal = AbortSignal.any([cancel, timeout]);
  const timedOut = () =>
    new WorkerTaskError(ErrorCode.TaskTimeout, `task exceeded its ${timeoutMs} ms limit`, { timeoutMs });
  const work = executor.run(
    { kind: task.kind, taskId: task.taskId, seed: task.seed, params: task.params, payload },
    { signal: taskSignal, timeoutMs, replicaId: task.replicaId },
  );
  const started = performance.now();
  try {
    const outcome = await untilAborted(work, taskSignal);
    // A kernel that blocked this thread kept the timeout's timer from firing: check the clock.
    if (timeout.aborted || performance.now() - started > timeoutMs) throw timedOut();
    return outcome;
  } catch (err) {
    throw timeout.aborted && !cancel.aborted ? timedOut() : err;
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // a late rejection after we stopped waiting is not an unhandled error
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
