/**
 * Prometheus text exposition of the orchestrator's state, read from SQLite at scrape time (the
 * counters live in the same transactions as the state they count, so they are never stale).
 */
import type { Database } from 'bun:sqlite';

interface Gauge {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

function render(gauges: readonly Gauge[]): string {
  const lines: string[] = [];
  for (const g of gauges) {
    lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type}`);
    for (const s of g.samples) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
        .join(',');
      lines.push(`${g.name}${labels ? `{${labels}}` : ''} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const grouped = (db: Database, sql: string, label: string) =>
  db
    .query<{ key: string; n: number }, []>(sql)
    .all()
    .map((r) => ({ labels: { [label]: r.key }, value: r.n }));

export function renderMetrics(db: Database, connectedWorkers: number): string {
  return render([
    {
      name: 'shardmesh_jobs',
      help: 'Jobs by state.',
      type: 'gauge',
      samples: grouped(db, 'SELECT state AS key, count(*) AS n FROM jobs GROUP BY state', 'state'),
    },
    {
      name: 'shardmesh_tasks',
      help: 'Tasks by state.',
      type: 'gauge',
      samples: grouped(db, 'SELECT state AS key, count(*) AS n FROM tasks GROUP BY state', 'state'),
    },
    {
      name: 'shardmesh_replicas',
      help: 'Replicas by state.',
      type: 'gauge',
      samples: grouped(db, 'SELECT state AS key, count(*) AS n FROM replicas GROUP BY state', 'state'),
    },
    {
      name: 'shardmesh_dead_letters',
      help: 'Entries in the dead-letter queue by reason.',
      type: 'gauge',
      samples: grouped(db, 'SELECT reason AS key, count(*) AS n FROM dead_letters GROUP BY reason', 'reason'),
    },
    {
      name: 'shardmesh_workers_connected',
      help: 'Workers with an open task-protocol session.',
      type: 'gauge',
      samples: [{ value: connectedWorkers }],
    },
    {
      name: 'shardmesh_workers_known',
      help: 'Workers ever seen.',
      type: 'gauge',
      samples: [{ value: db.query<{ n: number }, []>('SELECT count(*) AS n FROM workers').get()?.n ?? 0 }],
    },
  ]);
}
