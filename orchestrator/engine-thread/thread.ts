/**
 * The engine thread: the dispatcher's group commits run here, on this thread's own connection to
 * the orchestrator's database, and so does the digest log's append of the tasks they accepted
 * (the signing key is handed over at init). The main thread keeps the network, HTTP and gossip;
 * SQLite's work and the signatures were ~160 us of its ~250 us per task (issue 3, session 7).
 * Every batch is one transaction (TaskEngine.batch), exactly as in-process; its events and log
 * records go back with the outcomes, after the commit.
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { openDatabase } from '../db/index.ts';
import { runEngineOps } from '../dispatch/engine-ops.ts';
import { ENGINE_EVENT_TYPES, type EngineEvent, TaskEngine } from '../engine/index.ts';
import { DigestLog } from '../mesh/digest-log.ts';
import type { LogRecord } from '../mesh/record.ts';
import { LogStore } from '../mesh/store.ts';
import type { FromThread, ThreadInit, ToThread, WireOutcome } from './protocol.ts';
import { toWire } from './wire-error.ts';

declare const self: Worker;

interface Host {
  engine: TaskEngine;
  close: () => void;
  /** Appends the records of the tasks the last batch accepted; returns them. */
  appendLog: () => LogRecord[];
  /** Events of the last batch, in order. */
  events: EngineEvent[];
}

const post = (msg: FromThread): void => self.postMessage(msg);
let host: Host | undefined;

function start(init: ThreadInit): Host {
  const db = openDatabase(init.dbPath);
  const engine = new TaskEngine(db, {
    leaseMs: init.leaseMs,
    onListenerError: (err) => post({ type: 'log', line: `engine thread listener failed: ${String(err)}` }),
  });
  const events: EngineEvent[] = [];
  for (const type of ENGINE_EVENT_TYPES) {
    engine.on(type, (detail) => events.push({ type, detail } as EngineEvent));
  }
  let appendLog = (): LogRecord[] => [];
  let detach = (): void => {};
  if (init.log !== undefined) {
    const records: LogRecord[] = [];
    let pending: (() => void) | undefined;
    const log = new DigestLog(
      new LogStore(db),
      privateKeyFromProtobuf(init.log.keyProtobuf),
      init.log.origin,
      {
        // Appended right after each batch (its own transaction, as in-process); a failed append is
        // backfilled by the next start, so it is reported, not fatal.
        schedule: (flush) => {
          pending = flush;
        },
        onError: (err) => post({ type: 'log', line: `digest log append failed: ${String(err)}` }),
      },
    );
    log.onAppend((record) => records.push(record));
    detach = log.attach(engine);
    appendLog = () => {
      const flush = pending;
      pending = undefined;
      flush?.();
      return records.splice(0);
    };
  }
  return {
    engine,
    events,
    appendLog,
    close: () => {
      detach();
      db.close();
    },
  };
}

/** One group commit: the batch's ops in one transaction, then the log append, then the reply. */
function commit(h: Host, { id, ops }: Extract<ToThread, { type: 'commit' }>): void {
  let outcomes: WireOutcome[];
  try {
    outcomes = h.engine
      .batch(() => runEngineOps(h.engine, ops))
      .map((o) => (o.ok ? o : { ok: false, error: toWire(o.error) }));
  } catch (err) {
    // Rolled back: the engine delivered no event and the log has nothing to append.
    post({ type: 'commit-failed', id, error: toWire(err) });
    return;
  }
  const records = h.appendLog();
  post({ type: 'committed', id, outcomes, events: h.events.splice(0), records });
}

self.onmessage = (event: MessageEvent<ToThread>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'init':
      try {
        host = start(msg);
        post({ type: 'ready' });
      } catch (err) {
        post({ type: 'init-failed', error: toWire(err) });
      }
      return;
    case 'commit':
      if (host === undefined)
        post({ type: 'commit-failed', id: msg.id, error: toWire(new Error('not started')) });
      else commit(host, msg);
      return;
    case 'close':
      host?.close();
      host = undefined;
      post({ type: 'closed' });
      return;
  }
};
