-- The monthly aggregation of metered events: ONE text, run as is by DuckDB and by Spark SQL.
-- Input: a view `events` (one row per event and meter, see eventstore.EVENT_COLUMNS).
-- Output: per charge period, origin period, member, engagement, meter and dimensions, the
-- aggregate as an exact fraction of micro-units: quantity = numerator / 10^6 / denominator.
-- Only integer and DECIMAL(38,0) arithmetic: never a float. `family` (0 sum/count/max, 1 unique
-- count, 2 latest/time-weighted) is stored in separate files, so each branch reads only its own.
WITH plain AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           COUNT(*) AS events,
           CASE agg
               WHEN 'count' THEN CAST(COUNT(*) AS DECIMAL(38, 0)) * 1000000
               WHEN 'max' THEN CAST(MAX(value_micro) AS DECIMAL(38, 0))
               ELSE SUM(CAST(value_micro AS DECIMAL(38, 0)))
           END AS numerator,
           CAST(1 AS DECIMAL(38, 0)) AS denominator
    FROM events
    WHERE family = 0
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
),
uniq AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           COUNT(*) AS events,
           CAST(COUNT(DISTINCT value_text) AS DECIMAL(38, 0)) * 1000000 AS numerator,
           CAST(1 AS DECIMAL(38, 0)) AS denominator
    FROM events
    WHERE family = 1
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
),
ordered AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims, value_micro, time_us, period_len_us,
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
    FROM events
    WHERE family = 2
),
gauges AS (
    SELECT period, origin_period, member, engagement, meter, agg, dims,
           COUNT(*) AS events,
           CASE agg
               WHEN 'latest' THEN CAST(MAX(CASE WHEN recency = 1 THEN value_micro END) AS DECIMAL(38, 0))
               ELSE SUM(CAST(value_micro AS DECIMAL(19, 0)) * CAST(until_us - time_us AS DECIMAL(19, 0)))
           END AS numerator,
           CASE agg
               WHEN 'latest' THEN CAST(1 AS DECIMAL(38, 0))
               ELSE CAST(MAX(period_len_us) AS DECIMAL(38, 0))
           END AS denominator
    FROM ordered
    GROUP BY period, origin_period, member, engagement, meter, agg, dims
)
SELECT * FROM plain
UNION ALL
SELECT * FROM uniq
UNION ALL
SELECT * FROM gauges
