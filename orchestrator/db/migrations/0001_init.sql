-- 0001: the task engine's tables. Forward-only: never edit a released migration, add 0002_...
-- Ids are TEXT (prefixed random ids); states are TEXT with CHECK constraints, and triggers make
-- an illegal state change impossible even for hand-written SQL (the same edges as
-- orchestrator/engine/state-machine.ts; a test checks that both agree).

CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  bytes BLOB NOT NULL,
  size INTEGER NOT NULL CHECK (size = length(bytes))
);

CREATE TABLE workers (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128 AND id NOT GLOB '*[^A-Za-z0-9_.:-]*'),
  info TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(info)),
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128 AND id NOT GLOB '*[^A-Za-z0-9_.:-]*'),
  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 128),
  state TEXT NOT NULL CHECK (state IN ('active', 'completed', 'cancelled')),
  priority INTEGER NOT NULL DEFAULT 0,
  redundancy INTEGER NOT NULL CHECK (redundancy >= 1),
  quorum INTEGER NOT NULL CHECK (quorum BETWEEN 1 AND redundancy),
  max_replicas INTEGER NOT NULL CHECK (max_replicas >= redundancy),
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  idempotency_key TEXT UNIQUE,
  request_sha256 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  tasks_total INTEGER NOT NULL CHECK (tasks_total >= 0),
  tasks_pending INTEGER NOT NULL DEFAULT 0 CHECK (tasks_pending >= 0),
  tasks_running INTEGER NOT NULL DEFAULT 0 CHECK (tasks_running >= 0),
  tasks_verifying INTEGER NOT NULL DEFAULT 0 CHECK (tasks_verifying >= 0),
  tasks_done INTEGER NOT NULL DEFAULT 0 CHECK (tasks_done >= 0),
  tasks_dead INTEGER NOT NULL DEFAULT 0 CHECK (tasks_dead >= 0),
  replicas_leased INTEGER NOT NULL DEFAULT 0,
  replicas_submitted INTEGER NOT NULL DEFAULT 0,
  replicas_accepted INTEGER NOT NULL DEFAULT 0,
  replicas_rejected INTEGER NOT NULL DEFAULT 0,
  replicas_expired INTEGER NOT NULL DEFAULT 0,
  replicas_failed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_created ON jobs (created_at);

-- live / votes / best / want are kept by the engine in the same statement as each change:
-- live = leased+acked replicas of the current round, votes = submitted ones, best = size of the
-- largest group of identical digests, want = how many more replicas may be leased right now.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128 AND id NOT GLOB '*[^A-Za-z0-9_.:-]*'),
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'verifying', 'done', 'dead')),
  dead_reason TEXT CHECK (dead_reason IN ('no_quorum', 'max_attempts', 'cancelled')),
  priority INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  payload_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  round INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  live INTEGER NOT NULL DEFAULT 0 CHECK (live >= 0),
  votes INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
  best INTEGER NOT NULL DEFAULT 0 CHECK (best BETWEEN 0 AND votes),
  want INTEGER NOT NULL DEFAULT 0 CHECK (want >= 0),
  not_before INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((state = 'dead') = (dead_reason IS NOT NULL)),
  CHECK (CASE state
    WHEN 'pending' THEN live = 0 AND votes = 0
    WHEN 'running' THEN live > 0 AND votes = 0
    WHEN 'verifying' THEN votes > 0
    ELSE live = 0 AND want = 0 END)
);
CREATE UNIQUE INDEX tasks_job_idx ON tasks (job_id, idx);
-- The lease query walks this index: highest priority first, then FIFO (rowid order).
CREATE INDEX tasks_leasable ON tasks (priority DESC) WHERE want > 0;

CREATE TABLE replicas (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128 AND id NOT GLOB '*[^A-Za-z0-9_.:-]*'),
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  round INTEGER NOT NULL,
  worker_id TEXT NOT NULL REFERENCES workers (id),
  state TEXT NOT NULL CHECK (state IN ('leased', 'acked', 'submitted', 'accepted', 'rejected', 'expired', 'failed')),
  end_reason TEXT CHECK (end_reason IN ('quorum', 'outvoted', 'no_quorum', 'task_closed', 'lease_expired', 'worker_error')),
  leased_at INTEGER NOT NULL,
  lease_expires_at INTEGER NOT NULL,
  acked_at INTEGER,
  submitted_at INTEGER,
  ended_at INTEGER,
  digest TEXT,
  output_size INTEGER,
  error_code TEXT,
  error_message TEXT,
  CHECK (state IN ('leased', 'acked', 'expired', 'failed') OR digest IS NOT NULL)
);
CREATE INDEX replicas_task ON replicas (task_id, round, state);
-- At most one live or voting replica per worker, task and round: votes come from distinct
-- workers by constraint, not by habit. A worker whose replica expired or failed (it cannot vote
-- any more) may take the task again, so a small pool cannot strand a task.
CREATE UNIQUE INDEX replicas_task_worker ON replicas (task_id, round, worker_id)
  WHERE state NOT IN ('expired', 'failed');
CREATE INDEX replicas_live_expiry ON replicas (lease_expires_at) WHERE state IN ('leased', 'acked');
CREATE INDEX replicas_worker_live ON replicas (worker_id) WHERE state IN ('leased', 'acked');

CREATE TABLE results (
  task_id TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  digest TEXT NOT NULL,
  output_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  accepted_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX results_job_idx ON results (job_id, idx);

CREATE TABLE dead_letters (
  task_id TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (reason IN ('no_quorum', 'max_attempts')),
  attempts INTEGER NOT NULL,
  errors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
  conflicts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conflicts)),
  dead_at INTEGER NOT NULL
);
CREATE INDEX dead_letters_job ON dead_letters (job_id, dead_at);
CREATE INDEX dead_letters_dead_at ON dead_letters (dead_at);

CREATE TABLE proof_nonces (
  nonce TEXT PRIMARY KEY,
  replica_id TEXT NOT NULL REFERENCES replicas (id) ON DELETE CASCADE,
  issued_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX proof_nonces_replica ON proof_nonces (replica_id);

-- Rows are born in their initial state only.
CREATE TRIGGER jobs_insert_state BEFORE INSERT ON jobs WHEN new.state <> 'active'
BEGIN SELECT RAISE(ABORT, 'illegal initial job state'); END;
CREATE TRIGGER tasks_insert_state BEFORE INSERT ON tasks WHEN new.state <> 'pending'
BEGIN SELECT RAISE(ABORT, 'illegal initial task state'); END;
CREATE TRIGGER replicas_insert_state BEFORE INSERT ON replicas WHEN new.state <> 'leased'
BEGIN SELECT RAISE(ABORT, 'illegal initial replica state'); END;

-- The edges of the state machine; everything else aborts.
CREATE TRIGGER jobs_state_guard BEFORE UPDATE OF state ON jobs
WHEN old.state <> new.state AND old.state || '>' || new.state NOT IN (
  'active>completed', 'active>cancelled', 'completed>active')
BEGIN SELECT RAISE(ABORT, 'illegal job transition'); END;

CREATE TRIGGER tasks_state_guard BEFORE UPDATE OF state ON tasks
WHEN old.state <> new.state AND old.state || '>' || new.state NOT IN (
  'pending>running', 'pending>dead', 'running>pending', 'running>verifying', 'running>done',
  'running>dead', 'verifying>done', 'verifying>dead', 'dead>pending')
BEGIN SELECT RAISE(ABORT, 'illegal task transition'); END;

CREATE TRIGGER replicas_state_guard BEFORE UPDATE OF state ON replicas
WHEN old.state <> new.state AND old.state || '>' || new.state NOT IN (
  'leased>acked', 'leased>submitted', 'leased>expired', 'leased>failed', 'acked>submitted',
  'acked>expired', 'acked>failed', 'submitted>accepted', 'submitted>rejected')
BEGIN SELECT RAISE(ABORT, 'illegal replica transition'); END;

-- Progress counters on the job row change in the same statement as the task they count.
-- tasks_* count tasks in each state now; replicas_* count replicas that ever entered each state.
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
BEGIN
  UPDATE jobs SET tasks_pending = tasks_pending + 1 WHERE id = new.job_id;
END;

CREATE TRIGGER tasks_count_update AFTER UPDATE OF state ON tasks WHEN old.state <> new.state
BEGIN
  UPDATE jobs SET
    tasks_pending = tasks_pending + (new.state = 'pending') - (old.state = 'pending'),
    tasks_running = tasks_running + (new.state = 'running') - (old.state = 'running'),
    tasks_verifying = tasks_verifying + (new.state = 'verifying') - (old.state = 'verifying'),
    tasks_done = tasks_done + (new.state = 'done') - (old.state = 'done'),
    tasks_dead = tasks_dead + (new.state = 'dead') - (old.state = 'dead')
  WHERE id = new.job_id;
END;

CREATE TRIGGER replicas_count_insert AFTER INSERT ON replicas
BEGIN
  UPDATE jobs SET replicas_leased = replicas_leased + 1
  WHERE id = (SELECT job_id FROM tasks WHERE id = new.task_id);
END;

CREATE TRIGGER replicas_count_update AFTER UPDATE OF state ON replicas WHEN old.state <> new.state
BEGIN
  UPDATE jobs SET
    replicas_submitted = replicas_submitted + (new.state = 'submitted'),
    replicas_accepted = replicas_accepted + (new.state = 'accepted'),
    replicas_rejected = replicas_rejected + (new.state = 'rejected'),
    replicas_expired = replicas_expired + (new.state = 'expired'),
    replicas_failed = replicas_failed + (new.state = 'failed')
  WHERE id = (SELECT job_id FROM tasks WHERE id = new.task_id);
END;
