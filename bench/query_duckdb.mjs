// query_duckdb.mjs: the DuckDB peer of bench/query.sh.
//   node query_duckdb.mjs FILE RUNS SQL
// Creates the view trips over FILE (bench/gen.c's CSV, or as JSON Lines
// from bench/csv2jsonl.py when it ends in .jsonl, typed as bench/model.yml), runs SQL RUNS times in one process and prints the
// milliseconds of each run, one a line.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, runs, sql] = process.argv.slice(2);
const columns = {
  trip_id: 'BIGINT', vendor: 'VARCHAR', pickup_at: 'TIMESTAMP', dropoff_at: 'TIMESTAMP',
  passengers: 'BIGINT', distance_km: 'DOUBLE', fare: 'DOUBLE', tip: 'DOUBLE',
  payment: 'VARCHAR', paid_card: 'BOOLEAN', zone: 'VARCHAR', note: 'VARCHAR',
};
const cols = Object.entries(columns).map(([c, t]) => `'${c}': '${t}'`).join(', ');
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const read = file.endsWith('.jsonl')
  ? `read_json('${file}', format = 'newline_delimited', columns = {${cols}})`
  : `read_csv('${file}', header = true, columns = {${cols}})`;
await con.run(`CREATE VIEW trips AS SELECT * FROM ${read}`);
for (let i = 0; i < Number(runs); i++) {
  const t0 = process.hrtime.bigint();
  const r = await con.runAndReadAll(sql);
  r.getRows();
  console.log(Number(process.hrtime.bigint() - t0) / 1e6);
}
