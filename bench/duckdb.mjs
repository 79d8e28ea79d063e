// duckdb.mjs: the DuckDB peer of bench/stats.sh.
//   node duckdb.mjs FILE THREADS
// One query over the CSV (bench/gen.c's 12 columns, typed as bench/model.yml):
// count, null count, min, max, avg, stddev_samp, approx_count_distinct and
// approx_quantile (0.5, 0.9, 0.99) of every column where DuckDB defines them
// (timestamps through epoch(); strings: min/max, lengths and approx_top_k;
// bools: the number of trues).  Prints the time of the query in seconds.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads] = process.argv.slice(2);
const columns = {
  trip_id: 'BIGINT', vendor: 'VARCHAR', pickup_at: 'TIMESTAMP', dropoff_at: 'TIMESTAMP',
  passengers: 'BIGINT', distance_km: 'DOUBLE', fare: 'DOUBLE', tip: 'DOUBLE',
  payment: 'VARCHAR', paid_card: 'BOOLEAN', zone: 'VARCHAR', note: 'VARCHAR',
};
const parts = [];
for (const [c, type] of Object.entries(columns)) {
  parts.push(`count(${c})`, `count(*) - count(${c})`, `approx_count_distinct(${c})`);
  if (type === 'VARCHAR') {
    parts.push(`min(${c})`, `max(${c})`, `min(length(${c}))`, `max(length(${c}))`, `approx_top_k(${c}, 10)`);
  } else if (type === 'BOOLEAN') {
    parts.push(`sum(${c}::INT)`);
  } else {
    const x = type === 'TIMESTAMP' ? `epoch(${c})` : c;
    parts.push(`min(${c})`, `max(${c})`, `sum(${x})`, `avg(${x})`, `stddev_samp(${x})`,
      `approx_quantile(${c}, [0.5, 0.9, 0.99])`);
  }
}
const cols = Object.entries(columns).map(([c, t]) => `'${c}': '${t}'`).join(', ');
const sql = `SELECT ${parts.join(', ')} FROM read_csv('${file}', header = true, columns = {${cols}})`;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run(`SET threads = ${Number(threads)}`);
const t0 = process.hrtime.bigint();
const reader = await con.runAndReadAll(sql);
const rows = reader.getRows();
const t1 = process.hrtime.bigint();
if (rows.length !== 1) throw new Error('no result');
console.log((Number(t1 - t0) / 1e9).toFixed(3));
