-- The monthly aggregation of metered events: ONE text, run as is by DuckDB and by Spark SQL.
-- Inputs (views, see aggregation.py):
--   events          the period's events (one row per event and meter, see segments.FAMILY_COLUMNS)
--   rollup_history  the rollups of the earlier periods (the levels and balances carried in)
--   uniq_history    the unique-count events of the earlier periods (empty unless a meter is
--                   a recurring unique count)
--   meters          the model's meters: meter, agg, recurring, increments
--   target          one row: period, period_start_us, period_end_us, period_len_us
-- Output: per charge period, origin period, member, engagement, meter and dimensions, the
-- aggregate as an exact fraction of micro-units: quantity = numerator / 10^6 / denominator.
-- Only integer and DECIMAL(38, 0) arithmetic: never a float. `family` (0 sum/count/max, 1 unique
-- count, 2 latest/time-weighted) is stored in separate files, so each branch reads only its own.
-- The one ordering of samples: time, then (source, id); the last is the latest.
-- A meter that carries its state (a gauge; a recurring sum or unique count) starts its month
-- (its on-time group: origin_period = period) with the state before it; late groups do not.
WITH cfg AS (
    SELECT meter, agg, recurring, increments FROM meters
),
before_rows AS (
    -- what happened before the period: the earlier periods' rollups, and the period's late events
    SELECT r.member, r.engagement, r.meter, r.agg, r.dims, r.last_us,
           COALESCE(r.last_source, '') AS last_source, COALESCE(r.last_id, '') AS last_id,
           CAST(r.last_micro AS DECIMAL(38, 0)) AS last_value, CAST(r.sum_micro AS DECIMAL(38, 0)) AS sum_value
    FROM rollup_history r
    WHERE r.agg IN ('sum', 'latest', 'time_weighted_average')
    UNION ALL
    SELECT member, engagement, meter, agg, dims, time_us, source, id,
           CAST(value_micro AS DECIMAL(38, 0)), CAST(value_micro AS DECIMAL(38, 0))
    FROM events
    WHERE origin_period < period AND family IN (0, 2) AND agg IN ('sum', 'latest', 'time_weighted_average')
),
before_ranked AS (
    SELECT b.member, b.engagement, b.meter, b.agg, b.dims, b.last_value,
           ROW_NUMBER() OVER (
               PARTITION BY b.member, b.engagement, b.meter, b.agg, b.dims
               ORDER BY b.last_us DESC, b.last_source DESC, b.last_id DESC
           ) AS recency,
           SUM(b.sum_value) OVER (PARTITION BY b.member, b.engagement, b.meter, b.agg, b.dims) AS balance,
           c.recurring, c.increments
    FROM before_rows b JOIN cfg c ON c.meter = b.meter AND c.agg = b.agg
    WHERE b.agg <> 'sum' OR c.recurring
),
carried AS (
    -- one row per group: its level (a gauge) or balance (a recurring sum) at the period's start
    SELECT t.period, t.period_start_us, t.period_end_us, t.period_len_us,
           b.member, b.engagement, b.meter, b.agg, b.dims, b.increments,
           CASE WHEN b.agg = 'sum' OR b.increments THEN b.balance ELSE b.last_value END AS level
    FROM before_ranked b CROSS JOIN target t
    WHERE b.recency = 1
),
uniq_carried AS (
    -- a recurring unique count's values active at the period's start (their last operation: add)
    SELECT t.period, x.member, x.engagement, x.meter, x.agg, x.dims, x.value_text
    FROM (
        SELECT u.member, u.engagement, u.meter, u.agg, u.dims, u.value_text, u.op,
               ROW_NUMBER() OVER (
                   PARTITION BY u.member, u.engagement, u.meter, u.agg, u.dims, u.value_text
                   ORDER BY u.time_us DESC, u.source DESC, u.id DESC
               ) AS recency
        FROM (
            SELECT member, engagement, meter, agg, dims, value_text, COALESCE(op, 1) AS op, time_us, source, id
            FROM uniq_history
            UNION ALL
            SELECT member, engagement, meter, agg, dims, value_text, COALESCE(op, 1), time_us, source, id
            FROM events
            WHERE family = 1 AND origin_period < period
        ) u JOIN cfg c ON c.meter = u.meter AND c.agg = u.agg
        WHERE c.recurring
    ) x CROSS JOIN target t
    WHERE x.recency = 1 AND x.op = 1
),
plain_events AS (
    -- the period's sums, counts and maxima, as before any state is carried in
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           COUNT(*) AS events,
           CAST(MAX(value_micro) AS DECIMAL(38, 0)) AS max_value,
           SUM(CAST(value_micro AS DECIMAL(38, 0))) AS sum_value
    FROM events
    WHERE family = 0
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
),
plain AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           SUM(events) AS events,
           CASE agg
               WHEN 'count' THEN CAST(SUM(events) AS DECIMAL(38, 0)) * 1000000
               WHEN 'max' THEN MAX(max_value)
               ELSE SUM(sum_value)
           END AS numerator,
           CAST(1 AS DECIMAL(38, 0)) AS denominator
    FROM (
        SELECT * FROM plain_events
        UNION ALL
        SELECT period, period, member, engagement, meter, agg, dims, 0, CAST(NULL AS DECIMAL(38, 0)), level
        FROM carried
        WHERE agg = 'sum'
    ) p
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
),
uniq AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           SUM(is_event) AS events,
           CAST(COUNT(DISTINCT CASE WHEN op = 1 THEN value_text END) AS DECIMAL(38, 0)) * 1000000 AS numerator,
           CAST(1 AS DECIMAL(38, 0)) AS denominator
    FROM (
        SELECT period, origin_period, member, engagement, meter, agg, dims, value_text, COALESCE(op, 1) AS op,
               1 AS is_event
        FROM events
        WHERE family = 1
        UNION ALL
        SELECT period, period, member, engagement, meter, agg, dims, value_text, 1, 0
        FROM uniq_carried
    ) u
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
),
gauge_rows AS (
    SELECT e.period, e.origin_period, e.member, e.engagement, e.meter, e.agg, e.dims, e.time_us, e.source, e.id,
           CAST(e.value_micro AS DECIMAL(38, 0)) AS value, COALESCE(c.increments, FALSE) AS increments,
           e.period_end_us, e.period_len_us, 1 AS is_event
    FROM events e LEFT JOIN cfg c ON c.meter = e.meter AND c.agg = e.agg
    WHERE e.family = 2
    UNION ALL
    -- the carried level, from the period's start; ('', '') sorts it before a sample at that time
    SELECT period, period, member, engagement, meter, agg, dims, period_start_us, '', '', level, increments,
           period_end_us, period_len_us, 0
    FROM carried
    WHERE agg IN ('latest', 'time_weighted_average')
),
ordered AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims, time_us, period_len_us, is_event,
           CASE WHEN increments THEN SUM(value) OVER (
                    PARTITION BY period, origin_period, engagement, meter, dims
                    ORDER BY time_us, source, id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) ELSE value END AS level,
           COALESCE(
               LEAD(time_us) OVER (
                   PARTITION BY period, origin_period, engagement, meter, dims
                   ORDER BY time_us, source, id
               ),
               period_end_us
           ) AS until_us,
           ROW_NUMBER() OVER (
               PARTITION BY period, origin_period, engagement, meter, dims
               ORDER BY time_us DESC, source DESC, id DESC
           ) AS recency
    FROM gauge_rows
),
gauges AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           SUM(is_event) AS events,
           CASE agg
               WHEN 'latest' THEN MAX(CASE WHEN recency = 1 THEN level END)
               ELSE SUM(level * CAST(until_us - time_us AS DECIMAL(38, 0)))
           END AS numerator,
           CASE agg
               WHEN 'latest' THEN CAST(1 AS DECIMAL(38, 0))
               ELSE CAST(MAX(period_len_us) AS DECIMAL(38, 0))
           END AS denominator
    FROM ordered
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
)
SELECT * FROM plain WHERE events > 0 OR numerator <> 0
UNION ALL
SELECT * FROM uniq WHERE events > 0 OR numerator <> 0
UNION ALL
SELECT * FROM gauges WHERE events > 0 OR numerator <> 0
