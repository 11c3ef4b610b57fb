import { hash32, LockClass } from './locks.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** SQLSTATEs raised by the append function (user-defined class "CN"). */
export const SqlState = {
  conflict: 'CN409',
  duplicate: 'CN200',
  isolation: 'CN001',
  regroup: 'CN503',
} as const;

/**
 * The schema, as versioned migrations for one schema name. Never edit a released migration;
 * add the next one. Functions are (re)created with CREATE OR REPLACE so a later migration
 * can improve them.
 */
export function migrations(schema: string): Migration[] {
  const s = `"${schema}"`;
  const key = hash32(schema);
  return [
    {
      version: 1,
      name: 'streams, events, tags, append',
      sql: `
CREATE SEQUENCE ${s}.position_seq AS bigint;

CREATE TABLE ${s}.streams (
  stream_id     text COLLATE "C" PRIMARY KEY,
  category      text NOT NULL,
  version       bigint NOT NULL,
  last_position bigint NOT NULL,
  last_hash     text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  archived_at   timestamptz
);
CREATE INDEX streams_category_idx ON ${s}.streams (category, stream_id);

-- horizon_xid is what keeps the global order gap-free: see allocate_positions.
CREATE TABLE ${s}.events (
  position       bigint PRIMARY KEY,
  horizon_xid    xid8 NOT NULL,
  stream_id      text COLLATE "C" NOT NULL,
  version        bigint NOT NULL,
  event_id       uuid NOT NULL,
  type           text NOT NULL,
  schema_version integer NOT NULL,
  data           jsonb NOT NULL,
  metadata       jsonb NOT NULL,
  tags           text[],
  recorded_at    timestamptz NOT NULL,
  -- Tamper evidence: sha256 over the previous event's hash and this event's stored form.
  hash           text NOT NULL,
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);
CREATE UNIQUE INDEX events_event_id_key ON ${s}.events (event_id);

-- One row per (tag, event), for cross-stream queries and conditional appends.
CREATE TABLE ${s}.event_tags (
  tag      text NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (tag, position)
);

/*
 * Gap-free global order. Positions come from a sequence and concurrent transactions commit
 * out of order, so a reader that has seen position 12 could later find 11 committed.
 *
 * Writers: an append marks its transaction as an in-flight appender (a shared advisory
 * lock held until commit), then, under a lock held for microseconds, takes its positions
 * together with a "horizon" transaction id such that every transaction that took positions
 * earlier has an id at or below it. For the usual append (the first write of its
 * transaction) the horizon is its own, freshly assigned id. A transaction that wrote before
 * appending (or appends twice) has an older id; its horizon is then the newest id known to
 * be running or completed, read fresh (hence READ COMMITTED).
 *
 * Readers (settled_bound): the bound is the oldest id among in-flight appenders, capped by
 * the snapshot's xmax (ids handed out later are above it). A row is settled when its horizon
 * is below the bound: every append that took a lower position has finished, committed or
 * rolled back. Unlike a bound on pg_snapshot_xmin, unrelated long transactions elsewhere in
 * the cluster do not hold readers back.
 */
CREATE FUNCTION ${s}.allocate_positions(p_count integer, OUT first_position bigint, OUT horizon xid8)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_fresh boolean := pg_current_xact_id_if_assigned() IS NULL;
BEGIN
  IF NOT v_fresh AND current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'a Cairn append in a % transaction must be its first write', current_setting('transaction_isolation')
      USING ERRCODE = '${SqlState.isolation}',
            HINT = 'Append before the other writes of the transaction, or use READ COMMITTED.';
  END IF;
  PERFORM pg_advisory_xact_lock_shared(${LockClass.appenders}, ${key});
  PERFORM pg_advisory_lock(${LockClass.allocate}, ${key});
  BEGIN
    IF v_fresh THEN
      horizon := pg_current_xact_id();
    ELSE
      -- Every transaction holds a lock on its own id, and pg_locks (unlike pg_stat_activity)
      -- is visible to every role; its ids are 32-bit, widened against our own 64-bit id.
      SELECT greatest(o.own, o.xmax, coalesce(max(o.own + ((l.transactionid::text::bigint - (o.own & 4294967295) + 6442450944) % 4294967296) - 2147483648), o.own))::text::xid8
        INTO horizon
        FROM (SELECT pg_current_xact_id()::text::bigint AS own, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) o
        LEFT JOIN pg_locks l ON l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
       GROUP BY o.own, o.xmax;
    END IF;
    first_position := nextval('${s}.position_seq');
    IF p_count > 1 THEN
      PERFORM setval('${s}.position_seq', first_position + p_count - 1);
    END IF;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    -- A session lock outlives errors; never leave it held, or every writer would wait forever.
    PERFORM pg_advisory_unlock(${LockClass.allocate}, ${key});
    RAISE;
  END;
  PERFORM pg_advisory_unlock(${LockClass.allocate}, ${key});
END
$fn$;

CREATE FUNCTION ${s}.settled_bound() RETURNS xid8
LANGUAGE sql VOLATILE AS $fn$
  SELECT least(n.xmax, coalesce(min(n.xmax + ((x.transactionid::text::bigint - (n.xmax & 4294967295) + 6442450944) % 4294967296) - 2147483648), n.xmax))::text::xid8
    FROM (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) n
    LEFT JOIN pg_locks a
      ON a.locktype = 'advisory' AND a.granted AND a.objsubid = 2
     AND a.classid::bigint = ${LockClass.appenders} AND a.objid::bigint = ${key >>> 0}
    LEFT JOIN pg_locks x
      ON x.virtualtransaction = a.virtualtransaction AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted
   GROUP BY n.xmax
$fn$;

/* Each statement of a plpgsql function takes a fresh snapshot: the bound is read before the rows. */
CREATE FUNCTION ${s}.settled_head() RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  v_bound xid8;
  v_head bigint;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'Cairn reads the global log in READ COMMITTED, not %', current_setting('transaction_isolation')
      USING ERRCODE = '${SqlState.isolation}', HINT = 'Read outside the transaction, or use READ COMMITTED.';
  END IF;
  SELECT ${s}.settled_bound() INTO v_bound;
  SELECT coalesce(max(e.position), 0) INTO v_head FROM ${s}.events e WHERE e.horizon_xid < v_bound;
  RETURN v_head;
END
$fn$;

CREATE FUNCTION ${s}.read_all(p_after bigint, p_limit integer, p_types text[], p_categories text[], p_include_system boolean,
                               p_partitions integer, p_partition integer, p_known_head bigint)
RETURNS TABLE (page_head bigint, "position" bigint, stream_id text, version bigint, event_id uuid, type text, schema_version integer,
               data jsonb, metadata jsonb, tags text[], recorded_ms float8)
LANGUAGE plpgsql
-- A log reader walks the position index in order. Without statistics (autovacuum off, a
-- fresh import) the planner may prefer scanning the whole range and sorting it: 20x slower.
SET enable_sort = off
SET enable_bitmapscan = off
AS $fn$
#variable_conflict use_column
DECLARE
  -- A head the reader saw before stays settled: below it, no need to find the head again.
  v_head bigint := CASE WHEN p_known_head > p_after THEN p_known_head ELSE ${s}.settled_head() END;
BEGIN
  -- Everything at or below the head is settled, so this later snapshot sees it exactly.
  RETURN QUERY
    SELECT v_head, e.position, e.stream_id::text, e.version, e.event_id, e.type, e.schema_version, e.data, e.metadata, e.tags,
           extract(epoch FROM e.recorded_at)::float8 * 1000
      FROM ${s}.events e
     WHERE e.position > p_after AND e.position <= v_head
       AND (p_types IS NULL OR e.type = ANY (p_types))
       AND (p_categories IS NULL OR split_part(e.stream_id, '-', 1) = ANY (p_categories))
       AND (p_include_system OR left(e.stream_id, 1) <> '$')
       AND (p_partitions IS NULL OR (hashtext(e.stream_id)::bigint + 2147483648) % p_partitions = p_partition)
     ORDER BY e.position
     LIMIT p_limit;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_head, NULL::bigint, NULL::text, NULL::bigint, NULL::uuid, NULL::text, NULL::integer, NULL::jsonb, NULL::jsonb, NULL::text[], NULL::float8;
  END IF;
END
$fn$;

/* Does an event match a query (a JSON array of { types?, tags? } items)? */
CREATE FUNCTION ${s}.matches_query(p_items jsonb, p_type text, p_tags text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT EXISTS (
    SELECT 1 FROM jsonb_array_elements(p_items) it
     WHERE (NOT it ? 'types' OR p_type = ANY (ARRAY(SELECT jsonb_array_elements_text(it->'types'))))
       AND (NOT it ? 'tags' OR coalesce(p_tags, '{}') @> ARRAY(SELECT jsonb_array_elements_text(it->'tags'))))
$fn$;

/* Positions that may match a query: by the first tag of tagged items, by type for the others. */
CREATE FUNCTION ${s}.query_candidates(p_items jsonb, p_after bigint, p_upto bigint) RETURNS TABLE ("position" bigint)
LANGUAGE sql STABLE AS $fn$
  SELECT t.position FROM ${s}.event_tags t
   WHERE t.tag = ANY (ARRAY(SELECT it->'tags'->>0 FROM jsonb_array_elements(p_items) it WHERE it ? 'tags'))
     AND t.position > p_after AND t.position <= p_upto
  UNION
  SELECT e.position FROM ${s}.events e
   WHERE e.type = ANY (ARRAY(SELECT jsonb_array_elements_text(it->'types') FROM jsonb_array_elements(p_items) it WHERE NOT it ? 'tags'))
     AND e.position > p_after AND e.position <= p_upto
$fn$;

/*
 * Dynamic Consistency Boundaries without a global lock. Every append holds shared
 * transaction locks on the tags and types it writes; a conditional append holds exclusive
 * locks on what its query reads (the first tag of each tagged item, the types of the others).
 * An event that matches an item carries that item's first tag (or type), so a conditional
 * append and a concurrent writer of a matching event never overlap: the later one waits for
 * the earlier to commit, then sees its event. Plain appends never wait for each other. Keys
 * are taken in sorted order, so two appends cannot deadlock on them.
 */
CREATE FUNCTION ${s}.lock_tags_and_types(p_types text[], p_tags text[], p_condition jsonb) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  k record;
BEGIN
  IF p_condition IS NULL AND p_tags IS NULL THEN
    -- The common case, a plain append: shared locks on its types, in one statement.
    PERFORM pg_advisory_xact_lock_shared(${LockClass.dcb}, key)
       FROM (SELECT DISTINCT hashtext('${schema}:type:' || t) AS key FROM unnest(p_types) t ORDER BY 1) keys;
    RETURN;
  END IF;
  FOR k IN
    SELECT key, bool_or(exclusive) AS exclusive FROM (
      SELECT hashtext('${schema}:type:' || t) AS key, false AS exclusive FROM unnest(p_types) t
      UNION ALL
      SELECT hashtext('${schema}:tag:' || g), false FROM unnest(p_tags) tt, unnest(tt::text[]) g WHERE tt IS NOT NULL
      UNION ALL
      SELECT hashtext('${schema}:tag:' || (it->'tags'->>0)), true FROM jsonb_array_elements(coalesce(p_condition, '[]')) it WHERE it ? 'tags'
      UNION ALL
      SELECT hashtext('${schema}:type:' || ty), true FROM jsonb_array_elements(coalesce(p_condition, '[]')) it, jsonb_array_elements_text(it->'types') ty WHERE NOT it ? 'tags'
    ) keys GROUP BY key ORDER BY key
  LOOP
    IF k.exclusive THEN
      PERFORM pg_advisory_xact_lock(${LockClass.dcb}, k.key);
    ELSE
      PERFORM pg_advisory_xact_lock_shared(${LockClass.dcb}, k.key);
    END IF;
  END LOOP;
END
$fn$;

CREATE FUNCTION ${s}.check_condition(p_stream_id text, p_first_event_id uuid, p_condition jsonb, p_after bigint) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_conflict bigint;
BEGIN
  SELECT min(e.position) INTO v_conflict
    FROM ${s}.query_candidates(p_condition, p_after, 9223372036854775807) c
    JOIN ${s}.events e ON e.position = c.position
   WHERE ${s}.matches_query(p_condition, e.type, e.tags);
  IF v_conflict IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM ${s}.events WHERE event_id = p_first_event_id) THEN
      RAISE EXCEPTION 'duplicate append' USING ERRCODE = '${SqlState.duplicate}';
    END IF;
    RAISE EXCEPTION 'append condition failed' USING ERRCODE = '${SqlState.conflict}',
      DETAIL = format('condition %s %s', v_conflict, coalesce((SELECT version FROM ${s}.streams WHERE stream_id = p_stream_id), 0));
  END IF;
END
$fn$;

CREATE FUNCTION ${s}.read_query(p_items jsonb, p_after bigint, p_limit integer)
RETURNS TABLE (page_head bigint, "position" bigint, stream_id text, version bigint, event_id uuid, type text, schema_version integer,
               data jsonb, metadata jsonb, tags text[], recorded_ms float8)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_head bigint := ${s}.settled_head();
BEGIN
  RETURN QUERY
    SELECT v_head, e.position, e.stream_id::text, e.version, e.event_id, e.type, e.schema_version, e.data, e.metadata, e.tags,
           extract(epoch FROM e.recorded_at)::float8 * 1000
      FROM ${s}.query_candidates(p_items, p_after, v_head) c
      JOIN ${s}.events e ON e.position = c.position
     WHERE ${s}.matches_query(p_items, e.type, e.tags)
     ORDER BY e.position
     LIMIT p_limit;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_head, NULL::bigint, NULL::text, NULL::bigint, NULL::uuid, NULL::text, NULL::integer, NULL::jsonb, NULL::jsonb, NULL::text[], NULL::float8;
  END IF;
END
$fn$;

/*
 * The link of an event in its stream's hash chain: sha256 over the previous link and the
 * event as stored (jsonb text, text[] text, time in microseconds). Cairn's verify recomputes
 * it from the stored columns; crypto-shredding destroys keys, not bytes, so chains stay valid.
 */
CREATE FUNCTION ${s}.chain_hash(p_prev text, p_stream_id text, p_version bigint, p_event_id uuid, p_type text, p_schema_version integer,
                                p_data text, p_metadata text, p_tags text, p_recorded_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT encode(sha256(convert_to(concat_ws(E'\n', p_prev, p_stream_id, p_version::text, p_event_id::text, p_type, p_schema_version::text,
                                            p_data, p_metadata, coalesce(p_tags, ''), ((extract(epoch FROM p_recorded_at) * 1000000)::bigint)::text), 'UTF8')), 'hex')
$fn$;

/*
 * Writes one append's events at positions taken already (p_first …), checking the expected
 * version under the stream's row lock. p_expected: >= 0 exact version, -1 any, -2 no-stream,
 * -3 exists. Raises CN409 (detail = actual version) on a mismatch and CN200 when the
 * mismatch is a retry of an append already stored. Shared by append and append_group.
 */
CREATE FUNCTION ${s}.write_events(
  p_stream_id text,
  p_expected bigint,
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_tags text[],
  p_recorded_at timestamptz[],
  p_first bigint,
  p_horizon xid8
) RETURNS TABLE (new_version bigint, last_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_count integer := cardinality(p_event_ids);
  v_new bigint;
  v_now timestamptz;
  v_hash text;
  v_hashes text[] := '{}';
  v_category text := split_part(p_stream_id, '-', 1);
  -- Explicit times (imports keeping original times) or NULL: then the clock decides.
  v_first_at timestamptz := p_recorded_at[1];
  v_last_at timestamptz := p_recorded_at[cardinality(p_event_ids)];
BEGIN
  -- The real check, under the stream's row lock. RETURNING gives the stream's last hash as it
  -- was (this statement does not change it): the hash chain continues from there.
  IF p_expected = -2 OR p_expected = 0 THEN
    INSERT INTO ${s}.streams AS s (stream_id, category, version, last_position, created_at, updated_at)
    VALUES (p_stream_id, v_category, v_count, p_first + v_count - 1, coalesce(v_first_at, clock_timestamp()), coalesce(v_last_at, clock_timestamp()))
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING s.version, s.updated_at, coalesce(s.last_hash, '') INTO v_new, v_now, v_hash;
  ELSIF p_expected = -1 THEN
    INSERT INTO ${s}.streams AS s (stream_id, category, version, last_position, created_at, updated_at)
    VALUES (p_stream_id, v_category, v_count, p_first + v_count - 1, clock_timestamp(), clock_timestamp())
    ON CONFLICT (stream_id) DO UPDATE
      SET version = s.version + v_count, last_position = excluded.last_position, updated_at = greatest(clock_timestamp(), s.updated_at)
    RETURNING s.version, s.updated_at, coalesce(s.last_hash, '') INTO v_new, v_now, v_hash;
  ELSE
    UPDATE ${s}.streams AS s
      SET version = s.version + v_count, last_position = p_first + v_count - 1,
          updated_at = coalesce(v_last_at, greatest(clock_timestamp(), s.updated_at))
      WHERE s.stream_id = p_stream_id AND (p_expected = -3 OR s.version = p_expected)
    RETURNING s.version, s.updated_at, coalesce(s.last_hash, '') INTO v_new, v_now, v_hash;
  END IF;
  IF v_new IS NULL THEN
    PERFORM ${s}.raise_conflict(p_stream_id, p_event_ids[1]);
  END IF;

  FOR i IN 1..v_count LOOP
    v_hash := ${s}.chain_hash(v_hash, p_stream_id, v_new - v_count + i, p_event_ids[i], p_types[i], p_schema_versions[i],
                              p_data[i]::text, p_metadata[i]::text, p_tags[i]::text[]::text, coalesce(p_recorded_at[i], v_now));
    v_hashes[i] := v_hash;
  END LOOP;
  UPDATE ${s}.streams SET last_hash = v_hash WHERE stream_id = p_stream_id;

  INSERT INTO ${s}.events (position, horizon_xid, stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at, hash)
  SELECT p_first + i - 1, p_horizon, p_stream_id, v_new - v_count + i, p_event_ids[i], p_types[i],
         p_schema_versions[i], p_data[i], p_metadata[i], p_tags[i]::text[], coalesce(p_recorded_at[i], v_now), v_hashes[i]
  FROM generate_subscripts(p_event_ids, 1) AS i;

  IF p_tags IS NOT NULL THEN
    INSERT INTO ${s}.event_tags (tag, position)
    SELECT DISTINCT unnest(p_tags[i]::text[]), p_first + i - 1
    FROM generate_subscripts(p_event_ids, 1) AS i
    WHERE p_tags[i] IS NOT NULL;
  END IF;

  RETURN QUERY SELECT v_new, p_first + v_count - 1, v_now;
END
$fn$;

/*
 * One round trip per append: a cheap pre-check (so most conflicts cost no positions), the
 * tag and type locks, the condition, the positions, then write_events. Everything in one
 * statement's transaction: a raise rolls it all back, so nothing is half-written.
 */
CREATE FUNCTION ${s}.append(
  p_stream_id text,
  p_expected bigint,
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_tags text[],
  p_recorded_at timestamptz[],
  p_condition jsonb,
  p_after bigint
) RETURNS TABLE (new_version bigint, last_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_actual bigint;
  v_first bigint;
  v_horizon xid8;
BEGIN
  SELECT s.version INTO v_actual FROM ${s}.streams s WHERE s.stream_id = p_stream_id;
  v_actual := coalesce(v_actual, 0);
  IF NOT (p_expected = -1 OR (p_expected = -2 AND v_actual = 0) OR (p_expected = -3 AND v_actual > 0) OR p_expected = v_actual) THEN
    PERFORM ${s}.raise_conflict(p_stream_id, p_event_ids[1]);
  END IF;

  PERFORM ${s}.lock_tags_and_types(p_types, p_tags, p_condition);
  IF p_condition IS NOT NULL THEN
    PERFORM ${s}.check_condition(p_stream_id, p_event_ids[1], p_condition, p_after);
  END IF;

  SELECT a.first_position, a.horizon INTO v_first, v_horizon FROM ${s}.allocate_positions(cardinality(p_event_ids)) a;
  RETURN QUERY SELECT * FROM ${s}.write_events(p_stream_id, p_expected, p_event_ids, p_types, p_schema_versions, p_data, p_metadata, p_tags, p_recorded_at, v_first, v_horizon);
END
$fn$;

/*
 * Group commit: the appends a process issues in the same moment (without conditions), in one
 * transaction, set-based: one allocation, the stream rows locked in id order, every version
 * checked in memory, one UPDATE of the streams, one INSERT of the events, one commit. Each
 * append keeps its own outcome ('ok'; 'conflict' with the actual version as detail; 'duplicate'
 * for a retry of an append already stored, which the caller answers from the stored events); a
 * conflicting append leaves a gap in positions, which the contract allows. Event arrays are
 * flat; p_counts says how many belong to each append. Raises CN503 when the group cannot be
 * settled here (a stream created concurrently, an event id already stored): the caller then
 * sends its appends one by one.
 */
CREATE FUNCTION ${s}.append_group(
  p_streams text[], p_expected bigint[], p_counts integer[],
  p_event_ids uuid[], p_types text[], p_schema_versions integer[], p_data jsonb[], p_metadata jsonb[], p_tags text[], p_recorded_at timestamptz[]
) RETURNS TABLE (idx integer, outcome text, new_version bigint, last_position bigint, detail text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_total integer := cardinality(p_event_ids);
  v_first bigint;
  v_horizon xid8;
  v_now timestamptz;
  -- Stream states, parallel arrays: id, version, last hash, last time, whether it already exists.
  k_ids text[];
  k_versions bigint[];
  k_hashes text[];
  k_times timestamptz[];
  k_existing boolean[];
  k_lastpos bigint[];
  -- The events to insert, by their index in the flat arrays, and the append each belongs to.
  e_idx integer[] := '{}';
  e_owner integer[] := '{}';
  g_ids uuid[] := '{}';
  e_versions bigint[] := '{}';
  e_hashes text[] := '{}';
  e_times timestamptz[] := '{}';
  v_offset integer := 0;
  v_k integer;
  v_version bigint;
  v_hash text;
  v_at timestamptz;
  v_ok boolean;
  v_created text[];
BEGIN
  PERFORM ${s}.lock_tags_and_types(p_types, p_tags, NULL);
  SELECT al.first_position, al.horizon INTO v_first, v_horizon FROM ${s}.allocate_positions(v_total) al;
  v_now := clock_timestamp();
  -- Lock the existing rows in id order (the same order for every group: no deadlock).
  SELECT array_agg(x.stream_id ORDER BY x.stream_id), array_agg(x.version ORDER BY x.stream_id), array_agg(coalesce(x.last_hash, '') ORDER BY x.stream_id),
         array_agg(x.updated_at ORDER BY x.stream_id)
    INTO k_ids, k_versions, k_hashes, k_times
    FROM (SELECT st.stream_id::text AS stream_id, st.version, st.last_hash, st.updated_at FROM ${s}.streams st
           WHERE st.stream_id = ANY (p_streams) ORDER BY st.stream_id FOR UPDATE) x;
  k_ids := coalesce(k_ids, '{}');
  k_existing := array_fill(true, ARRAY[cardinality(k_ids)]);
  k_lastpos := array_fill(0::bigint, ARRAY[cardinality(k_ids)]);
  FOR i IN 1 .. cardinality(p_streams) LOOP
    v_k := array_position(k_ids, p_streams[i]);
    v_version := CASE WHEN v_k IS NULL THEN 0 ELSE k_versions[v_k] END;
    v_ok := p_expected[i] = -1 OR (p_expected[i] = -2 AND v_version = 0) OR (p_expected[i] = -3 AND v_version > 0) OR p_expected[i] = v_version;
    IF NOT v_ok THEN
      -- A retry of an append already stored (before, or earlier in this group) is not a conflict.
      IF p_event_ids[v_offset + 1] = ANY (g_ids) OR EXISTS (SELECT 1 FROM ${s}.events ev WHERE ev.event_id = p_event_ids[v_offset + 1]) THEN
        idx := i - 1; outcome := 'duplicate'; new_version := NULL; last_position := NULL; detail := NULL;
      ELSE
        idx := i - 1; outcome := 'conflict'; new_version := NULL; last_position := NULL; detail := v_version::text;
      END IF;
      RETURN NEXT;
    ELSE
      IF v_k IS NULL THEN
        k_ids := k_ids || p_streams[i]; k_versions := k_versions || 0::bigint; k_hashes := k_hashes || ''::text;
        k_times := k_times || v_now; k_existing := k_existing || false; k_lastpos := k_lastpos || 0::bigint;
        v_k := cardinality(k_ids);
      END IF;
      v_hash := k_hashes[v_k];
      v_at := greatest(v_now, k_times[v_k]);
      FOR j IN v_offset + 1 .. v_offset + p_counts[i] LOOP
        v_version := v_version + 1;
        v_hash := ${s}.chain_hash(v_hash, p_streams[i], v_version, p_event_ids[j], p_types[j], p_schema_versions[j],
                                  p_data[j]::text, p_metadata[j]::text, p_tags[j]::text[]::text, coalesce(p_recorded_at[j], v_at));
        e_idx := e_idx || j; e_owner := e_owner || i; e_versions := e_versions || v_version; g_ids := g_ids || p_event_ids[j]; e_hashes := e_hashes || v_hash; e_times := e_times || coalesce(p_recorded_at[j], v_at);
      END LOOP;
      k_versions[v_k] := v_version; k_hashes[v_k] := v_hash; k_times[v_k] := coalesce(p_recorded_at[v_offset + p_counts[i]], v_at);
      k_lastpos[v_k] := v_first + v_offset + p_counts[i] - 1;
      idx := i - 1; outcome := 'ok'; new_version := v_version; last_position := v_first + v_offset + p_counts[i] - 1; detail := NULL;
      RETURN NEXT;
    END IF;
    v_offset := v_offset + p_counts[i];
  END LOOP;

  -- New streams: a concurrent creator wins, and this group goes back to one-by-one appends.
  WITH created AS (
    INSERT INTO ${s}.streams (stream_id, category, version, last_position, last_hash, created_at, updated_at)
    SELECT k_ids[n], split_part(k_ids[n], '-', 1), k_versions[n], 0, k_hashes[n], k_times[n], k_times[n]
      FROM generate_subscripts(k_ids, 1) AS n WHERE NOT k_existing[n] AND k_versions[n] > 0
    ON CONFLICT (stream_id) DO NOTHING RETURNING 1
  )
  SELECT count(*) = (SELECT count(*) FROM generate_subscripts(k_ids, 1) AS n WHERE NOT k_existing[n] AND k_versions[n] > 0) INTO v_ok FROM created;
  IF NOT v_ok THEN
    RAISE EXCEPTION 'group needs to be retried one by one' USING ERRCODE = '${SqlState.regroup}';
  END IF;
  UPDATE ${s}.streams st SET version = k_versions[n], last_hash = k_hashes[n], updated_at = k_times[n], last_position = k_lastpos[n]
    FROM generate_subscripts(k_ids, 1) AS n
   WHERE st.stream_id = k_ids[n] AND k_lastpos[n] > 0;
  INSERT INTO ${s}.events (position, horizon_xid, stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at, hash)
  SELECT v_first + e_idx[m] - 1, v_horizon, p_streams[e_owner[m]], e_versions[m], p_event_ids[e_idx[m]], p_types[e_idx[m]],
         p_schema_versions[e_idx[m]], p_data[e_idx[m]], p_metadata[e_idx[m]], p_tags[e_idx[m]]::text[], e_times[m], e_hashes[m]
    FROM generate_subscripts(e_idx, 1) AS m;
  IF p_tags IS NOT NULL THEN
    INSERT INTO ${s}.event_tags (tag, position)
    SELECT DISTINCT unnest(p_tags[e_idx[m]]::text[]), v_first + e_idx[m] - 1
      FROM generate_subscripts(e_idx, 1) AS m WHERE p_tags[e_idx[m]] IS NOT NULL;
  END IF;
EXCEPTION WHEN unique_violation THEN
  -- An event id already stored: a retry. Sorting out which append it belongs to is the single path's job.
  RAISE EXCEPTION 'group needs to be retried one by one' USING ERRCODE = '${SqlState.regroup}';
END
$fn$;


CREATE FUNCTION ${s}.raise_conflict(p_stream_id text, p_first_event_id uuid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_actual bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM ${s}.events WHERE event_id = p_first_event_id) THEN
    RAISE EXCEPTION 'duplicate append' USING ERRCODE = '${SqlState.duplicate}';
  END IF;
  SELECT coalesce((SELECT version FROM ${s}.streams WHERE stream_id = p_stream_id), 0) INTO v_actual;
  RAISE EXCEPTION 'version mismatch' USING ERRCODE = '${SqlState.conflict}', DETAIL = v_actual::text;
END
$fn$;
`,
    },
    {
      version: 2,
      name: 'snapshots',
      sql: `
CREATE TABLE ${s}.snapshots (
  stream_id      text COLLATE "C" NOT NULL,
  name           text NOT NULL,
  version        bigint NOT NULL,
  schema_version integer NOT NULL,
  state          jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, name)
);
`,
    },
    {
      version: 3,
      name: 'projections',
      sql: `
CREATE TABLE ${s}.projections (
  name               text NOT NULL,
  generation         integer NOT NULL,
  definition_version integer NOT NULL,
  status             text NOT NULL,
  partitions         integer NOT NULL,
  paused             integer NOT NULL DEFAULT 0,
  filter             text,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  PRIMARY KEY (name, generation)
);
CREATE TABLE ${s}.projection_checkpoints (
  name       text NOT NULL,
  generation integer NOT NULL,
  partition  integer NOT NULL,
  position   bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (name, generation, partition)
);
CREATE TABLE ${s}.dead_letters (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  generation integer NOT NULL,
  partition  integer NOT NULL,
  position   bigint NOT NULL,
  event_id   text NOT NULL,
  stream_id  text NOT NULL,
  type       text NOT NULL,
  error      text NOT NULL,
  attempts   integer NOT NULL,
  status     text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX dead_letters_by_name ON ${s}.dead_letters (name, status, position);
CREATE TABLE ${s}.projection_nodes (
  node_id   text NOT NULL,
  name      text NOT NULL,
  last_seen bigint NOT NULL,
  PRIMARY KEY (node_id, name)
);
`,
    },
    {
      version: 4,
      name: 'subject keys',
      sql: `
-- Keys for personal data (crypto-shredding). Forgetting sets material to NULL and vacuums the table.
CREATE TABLE ${s}.subject_keys (
  key_id       text PRIMARY KEY,
  subject      text NOT NULL,
  material     bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz
);
CREATE UNIQUE INDEX subject_keys_active ON ${s}.subject_keys (subject) WHERE destroyed_at IS NULL;
`,
    },
  ];
}

export const SCHEMA_VERSION = 4;
