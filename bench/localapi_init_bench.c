/* bench/localapi_init_bench.c: Lambda init time under owlet's Runtime API,
 * from exec of bootstrap to its first GET /invocation/next, over N cold
 * starts of the real artifact (unzipped from lambda.zip).  Also the first
 * (cold) invoke as a whole and warm invokes.  Built and run by
 * bench/localapi_init_bench.sh; not part of make test.
 *   localapi_init_bench TASK_ROOT MODEL_JSON_FILE [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "local/runtime_server.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	printf("%-28s min %7.2f  p50 %7.2f  p90 %7.2f  max %7.2f ms  (n=%d)\n", name, v[0], v[n / 2], v[n * 9 / 10],
	       v[n - 1], n);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s TASK_ROOT MODEL_JSON_FILE [N]\n", argv[0]);
		return 2;
	}
	int n = argc > 3 ? atoi(argv[3]) : 20;
	FILE *f = fopen(argv[2], "r");
	static char model[1 << 20];
	size_t len = f ? fread(model, 1, sizeof model - 1, f) : 0;
	if (f)
		fclose(f);
	model[len] = '\0';
	char *var = malloc(len + 16);
	snprintf(var, len + 16, "OWLET_MODEL=%s", model);
	const char *env[] = { var, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", NULL };
	double *init = calloc((size_t)n, sizeof *init), *cold = calloc((size_t)n, sizeof *cold);
	double *warm = calloc((size_t)n * 10, sizeof *warm);
	const char *ev = "{\"version\":\"2.0\",\"routeKey\":\"GET /datasets/{name}\",\"rawPath\":\"/datasets/trips\","
			 "\"pathParameters\":{\"name\":\"trips\"},\"requestContext\":{\"http\":{\"method\":\"GET\","
			 "\"path\":\"/datasets/trips\"},\"authorizer\":{\"jwt\":{\"claims\":{\"cognito:groups\":"
			 "\"[editors]\"}}}}}";
	int nw = 0;
	for (int i = 0; i < n; i++) {
		struct owlet_runtime_config cfg = { .task_root = argv[1], .env = env, .log_path = "/dev/null" };
		struct owlet_runtime *rt = NULL;
		if (owlet_runtime_start(&rt, &cfg) < 0) {
			fprintf(stderr, "error: %s\n", owlet_error_last());
			return 1;
		}
		struct owlet_invoke_result r;
		if (owlet_runtime_invoke(&r, rt, ev, strlen(ev), 5000) < 0 || r.status != OWLET_INVOKE_OK) {
			fprintf(stderr, "error: the invoke failed: %s\n", r.payload ? r.payload : owlet_error_last());
			return 1;
		}
		cold[i] = r.duration_ms;
		owlet_invoke_result_clear(&r);
		for (int w = 0; w < 10; w++) {
			owlet_runtime_invoke(&r, rt, ev, strlen(ev), 5000);
			warm[nw++] = r.duration_ms;
			owlet_invoke_result_clear(&r);
		}
		struct owlet_runtime_stats st;
		owlet_runtime_get_stats(&st, rt);
		init[i] = st.first_init_ms;
		owlet_runtime_stop(rt);
	}
	report("init (exec -> first /next)", init, n);
	report("cold invoke (incl. init)", cold, n);
	report("warm invoke (Runtime API)", warm, nw);
	free(var);
	free(init);
	free(cold);
	free(warm);
	return 0;
}
