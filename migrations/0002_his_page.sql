-- One page of a point's history, [from, to) in epoch ms, at most `rows` samples from the start,
-- folded into one row of JSON arrays (src/storage/postgres/his-wire.ts reads it). One row a page
-- instead of one a sample: a Worker's driver parses each protocol row in JavaScript, which cost
-- more than everything else in a read.
-- - `enable_sort = off`: before a table's first ANALYZE the planner takes it for a few rows and
--   sorts a bitmap scan of the whole point for every page; the (pid, ts) index scan is always the
--   right plan for a keyset page. `extra_float_digits = 1`: numbers out exact, whatever the role sets.
-- - `t` epoch ms (date_part's float8 is exact to the ms until about year 70000, and much cheaper
--   than extract's numeric), `k` a string of one kind digit a sample; `num`/`unit` of numbers,
--   `bool` of bools, `str` of strs, each in sample order.
CREATE FUNCTION his_page(p_pid integer, p_from bigint, p_to bigint, p_rows integer)
RETURNS TABLE (n integer, t json, k text, num json, unit json, bool json, str json)
LANGUAGE sql STABLE
SET enable_sort = off
SET extra_float_digits = 1
AS $$
  SELECT count(*)::int, json_agg(x.t), string_agg(x.kind::text, ''),
    json_agg(x.num) FILTER (WHERE x.kind = 0), json_agg(x.unit) FILTER (WHERE x.kind = 0),
    json_agg(x.bool) FILTER (WHERE x.kind = 1), json_agg(x.str) FILTER (WHERE x.kind >= 2)
  FROM (
    SELECT CASE WHEN h.ts < '10000-01-01 00:00Z' THEN (date_part('epoch', h.ts) * 1000)::int8
        ELSE (extract(epoch FROM h.ts) * 1000)::int8 END AS t,
      h.kind, h.num, h.unit, h.bool, h.str
    FROM history h
    WHERE h.pid = p_pid
      AND h.ts >= 'epoch'::timestamptz + p_from * interval '1 millisecond'
      AND h.ts < 'epoch'::timestamptz + p_to * interval '1 millisecond'
    ORDER BY h.ts
    LIMIT p_rows
  ) x
$$;
