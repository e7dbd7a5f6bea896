-- The queue's SQL, by name. Parameters are `:name`; statements.py renders them for psycopg
-- (the worker's hot path) and for SQLAlchemy `text()` (services in the caller's transaction).
-- Avoid the percent sign: psycopg would read it as a placeholder.

-- name: enqueue
-- One round trip: insert and notify. pg_notify inside the transaction fires only at commit, and
-- PostgreSQL folds identical notifications of one transaction into one (free debouncing).
WITH inserted AS (
    INSERT INTO job (id, type, payload, user_id, run_id, scheduled_at)
    VALUES (:id, :type, CAST(:payload AS jsonb), :user_id, :run_id,
            COALESCE(CAST(:scheduled_at AS timestamptz), now()))
    RETURNING *
)
SELECT inserted.*
FROM inserted CROSS JOIN LATERAL (SELECT pg_notify('raypx_job', inserted.type)) AS notified

-- name: enqueue_tick
-- A periodic task's tick: its id is derived from (type, tick), so every worker computing the
-- same tick inserts the same row and all but the first insert do nothing.
WITH inserted AS (
    INSERT INTO job (id, type, payload, scheduled_at)
    VALUES (:id, :type, CAST(:payload AS jsonb), :scheduled_at)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, type
)
SELECT inserted.id
FROM inserted CROSS JOIN LATERAL (SELECT pg_notify('raypx_job', inserted.type)) AS notified

-- name: claim
-- The payload comes back as text: the worker parses it (cheaper than psycopg's bytes path).
-- The sub-select is evaluated once, so exactly :limit rows are locked (the planner cannot push
-- LIMIT into an UPDATE), and `id = ANY(ARRAY(...))` looks them up by primary key: a CTE join
-- here turned into a hash join over the whole table at large batches. SKIP LOCKED lets many
-- workers claim side by side without waiting on each other.
UPDATE job SET status = 'running', attempts = attempts + 1
WHERE id = ANY(ARRAY(
    SELECT id FROM job
    WHERE status = 'queued' AND scheduled_at <= now()
      AND (CAST(:types AS text[]) IS NULL OR type = ANY(CAST(:types AS text[])))
    ORDER BY scheduled_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
))
RETURNING id, type, CAST(payload AS text), attempts,
          CAST(extract(epoch FROM clock_timestamp() - scheduled_at) AS float8) AS waited_seconds

-- name: finish
-- Batched outcomes. `status = 'running' AND attempts = attempt` is the ownership check: a job
-- rescued after a lost lease (attempts moved on) or cancelled meanwhile is left untouched.
UPDATE job SET
    status = outcome.status,
    result = CAST(outcome.result AS jsonb),
    error_message = outcome.error_message,
    scheduled_at = CASE WHEN outcome.status = 'queued'
                        THEN now() + make_interval(secs => outcome.retry_in)
                        ELSE job.scheduled_at END
FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS int[]), CAST(:statuses AS text[]),
            CAST(:results AS text[]), CAST(:errors AS text[]), CAST(:retry_in AS float8[]))
     AS outcome(id, attempt, status, result, error_message, retry_in)
WHERE job.id = outcome.id AND job.status = 'running' AND job.attempts = outcome.attempt

-- name: heartbeat
-- Returns the jobs this worker still owns; any it asked about and did not get back were
-- cancelled or rescued, and their handlers are told to stop.
UPDATE job SET updated_at = now()
FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS int[])) AS held(id, attempt)
WHERE job.id = held.id AND job.status = 'running' AND job.attempts = held.attempt
RETURNING job.id

-- name: rescue
-- Running jobs whose heartbeat is older than the lease lost their worker. The lost run counts as
-- an attempt: back to queued if attempts remain (per-type maxima passed in), else failed.
WITH stale AS (
    SELECT job.id, job.attempts >= COALESCE(limits.max_attempts, :default_max_attempts)
           AS exhausted
    FROM job
    LEFT JOIN unnest(CAST(:types AS text[]), CAST(:max_attempts AS int[]))
         AS limits(type, max_attempts) ON limits.type = job.type
    WHERE job.status = 'running' AND job.updated_at < now() - make_interval(secs => :lease)
    FOR UPDATE OF job SKIP LOCKED
)
UPDATE job SET
    status = CASE WHEN stale.exhausted THEN 'failed' ELSE 'queued' END,
    scheduled_at = now(),
    error_message = 'WorkerLost: no heartbeat for ' || CAST(:lease AS text)
                    || ' s during attempt ' || job.attempts
FROM stale
WHERE job.id = stale.id
RETURNING job.id, job.type, job.status, job.attempts

-- name: release
-- Graceful shutdown: jobs this worker could not finish go back as if never claimed.
UPDATE job SET status = 'queued', attempts = job.attempts - 1, scheduled_at = now()
FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS int[])) AS held(id, attempt)
WHERE job.id = held.id AND job.status = 'running' AND job.attempts = held.attempt
RETURNING job.id
