-- 0007 (issue 3, dispatch throughput): the lookup index on replicas no longer includes state.
-- Every replica changes state three to four times (leased -> acked -> submitted -> accepted), and
-- with state in the key each change rewrote an index entry. The queries that used it (a task's
-- live replicas, votes or losses of one round) read the few replicas of one (task, round) anyway,
-- so (task_id, round) finds them as well and a state change no longer touches this index.
DROP INDEX replicas_task;
CREATE INDEX replicas_task_round ON replicas (task_id, round);
