/* localapi_athena_test.c: the local Athena (lib/local/athena_server.h)
 * over a real moto_server and DuckDB, through owlet's Athena client: the
 * bytes scanned, the cache that follows S3 (copies of deleted or replaced
 * objects are pruned), and the results kept, bounded by rows and age. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/athena.h"
#include "aws/s3.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "local/athena_server.h"
#include "local/duckdb.h"
#include "model/model.h"
#include "moto_fixture.h"
#include "tap.h"

#define BUCKET "owlet-athena-test"

static struct owlet_athena_client *client;

/* Runs sql to its end: 0 and the first cell of the first row in *cell. */
static int run(const char *sql, char **id, long long *scanned, char cell[64])
{
	struct owlet_athena_status st = { 0 };
	json_t *cols = NULL, *rows = NULL;
	int rc = owlet_athena_start_query(client, id, sql, NULL, NULL, "db");
	if (rc == 0)
		rc = owlet_athena_wait(client, &st, *id, 0);
	if (rc == 0 && strcmp(st.state, "SUCCEEDED") != 0)
		rc = owlet_error_setc(OWLET_ERROR, "%s: %s", st.state, st.reason ? st.reason : "");
	if (rc == 0)
		rc = owlet_athena_results(client, &cols, &rows, *id, 100);
	const char *v = json_string_value(json_array_get(json_array_get(rows, 0), 0));
	snprintf(cell, 64, "%s", v ? v : "");
	*scanned = st.scanned;
	owlet_athena_status_clear(&st);
	json_decref(cols);
	json_decref(rows);
	return rc;
}

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static bool known(const char *id)
{
	struct owlet_athena_status st = { 0 };
	int rc = owlet_athena_status(client, &st, id);
	owlet_athena_status_clear(&st);
	return rc == 0;
}

int main(void)
{
	char *lib = owlet_duckdb_path();
	if (!lib || access(lib, R_OK) != 0) {
		printf("1..0 # SKIP no libduckdb ('make duckdb' fetches it)\n");
		return 0;
	}
	char endpoint[64];
	pid_t moto = moto_start(endpoint, sizeof endpoint);
	if (!moto) {
		printf("1..0 # SKIP moto_server is not available\n");
		return 0;
	}
	const char *src = getenv("OWLET_SRC") ? getenv("OWLET_SRC") : ".";
	char path[512], cache[] = "/tmp/owlet-athena-test-XXXXXX", dir[600];
	snprintf(path, sizeof path, "%s/tests/fixtures/lambda/model.json", src);
	json_t *mj = json_load_file(path, 0, NULL);
	struct owlet_model *model = NULL;
	struct owlet_s3 *s3 = NULL;
	struct owlet_athena_server *server = NULL;
	struct owlet_s3_config s3cfg = { "testing", "testing", NULL, "us-east-1", endpoint };
	ok(mj && owlet_model_from_json(&model, mj) == 0, "the model");
	ok(moto_make_bucket(endpoint, BUCKET, "testing:testing") == 0 && owlet_s3_open(&s3, &s3cfg) == 0, "a bucket in moto");
	ok(mkdtemp(cache) != NULL, "a cache directory");
	struct owlet_athena_server_config cfg = {
		.model = model, .bucket = BUCKET, .glue_database = "db", .s3 = s3cfg, .cache_dir = cache,
		.duckdb_lib = lib, .result_age_s = 1.0, .max_kept_rows = 15, .cache_age_s = -1,
	};
	if (!ok(model && s3 && owlet_athena_server_start(&server, &cfg) == 0 && !owlet_athena_server_unavailable(server),
		"the local Athena starts with DuckDB"))
		diag("%s", owlet_error_last());
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u", server ? (unsigned)owlet_athena_server_port(server) : 0u);
	struct owlet_s3_config acfg = { "testing", "testing", NULL, "us-east-1", url };
	ok(owlet_athena_client_open(&client, &acfg) == 0, "a client");

	/* --- bytes scanned, and the cache that follows S3 */
	const char a[] = "{\"trip_id\":1,\"pickup_at\":\"2024-05-01 08:00:00\",\"fare\":2.5}\n";
	const char b[] = "{\"trip_id\":2,\"pickup_at\":\"2024-05-01 09:00:00\",\"fare\":4.0}\n";
	const char a2[] = "{\"trip_id\":1,\"pickup_at\":\"2024-05-01 08:00:00\",\"fare\":2.5}\n"
			  "{\"trip_id\":3,\"pickup_at\":\"2024-05-01 10:00:00\",\"fare\":1.0}\n";
	owlet_s3_put(s3, BUCKET, "raw/trips/dt=2024-05-01/a-r1.jsonl", a, strlen(a), NULL);
	owlet_s3_put(s3, BUCKET, "raw/trips/dt=2024-05-01/b-r1.jsonl", b, strlen(b), NULL);
	owlet_s3_put(s3, BUCKET, "raw/trips/dt=2024-05-01/c.csv", "trip_id\n9\n", 10, NULL);
	snprintf(dir, sizeof dir, "%s/raw/trips/dt=2024-05-01", cache);
	char *id = NULL, cell[64];
	long long scanned = 0;
	is_int(run("SELECT count(*) FROM db.trips", &id, &scanned, cell), 0, "a query over two objects");
	is_str(cell, "2", "their rows, not the .csv's");
	is_int(scanned, (long long)(strlen(a) + strlen(b)), "bytes scanned: the two JSON Lines objects");
	is_int(files_in(dir), 2, "two copies in the cache");
	free(id);
	owlet_s3_delete(s3, BUCKET, "raw/trips/dt=2024-05-01/b-r1.jsonl");
	is_int(run("SELECT count(*) FROM trips", &id, &scanned, cell), 0, "after one object is deleted");
	is_str(cell, "1", "its rows are gone");
	is_int(files_in(dir), 1, "and its copy, once unused for cache_age_s");
	free(id);
	owlet_s3_put(s3, BUCKET, "raw/trips/dt=2024-05-01/a-r1.jsonl", a2, strlen(a2), NULL);
	is_int(run("SELECT count(*) FROM trips", &id, &scanned, cell), 0, "after an object is replaced");
	is_str(cell, "2", "the new version is read");
	is_int(files_in(dir), 1, "the old version's copy is gone");
	is_int(scanned, (long long)strlen(a2), "bytes scanned: the new version");
	free(id);

	/* --- the results kept: 15 rows at most, for 1 s */
	char *id1 = NULL, *id2 = NULL, *id3 = NULL, *id4 = NULL;
	is_int(run("SELECT * FROM range(10)", &id1, &scanned, cell), 0, "a result of 10 rows");
	is_int(scanned, 0, "no table: nothing scanned");
	is_int(run("SELECT * FROM range(10)", &id2, &scanned, cell), 0, "another");
	ok(known(id1) && known(id2), "both kept while no query starts");
	is_int(run("SELECT 1", &id3, &scanned, cell), 0, "a third query");
	ok(!known(id1), "the oldest result went: more than 15 rows were kept");
	like(owlet_error_last(), "not found", "GetQueryExecution: not found");
	ok(known(id2) && known(id3), "the newer ones are kept");
	usleep(1200 * 1000);
	is_int(run("SELECT 2", &id4, &scanned, cell), 0, "a query 1.2 s later");
	ok(!known(id2) && !known(id3) && known(id4), "results older than 1 s went");

	free(id1), free(id2), free(id3), free(id4);
	owlet_athena_client_free(client);
	owlet_athena_server_stop(server);
	owlet_s3_free(s3);
	owlet_model_free(model);
	json_decref(mj);
	owlet_fs_rmtree(cache);
	free(lib);
	moto_stop(moto);
	return exit_status();
}
