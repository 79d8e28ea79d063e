/* spine_recording_test.c: how `owlet up` knows whether anything but owlet
 * changed the local emulator (lib/deploy/recording.h).  Starts the emulator
 * as up does (owlet_emulator_start: moto's recorder on), makes requests with
 * the aws CLI as someone else would (reads, records written to a bucket,
 * a tag, the model object, an EC2 tag), and with owlet's terraform's
 * User-Agent, and checks the decision after each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "deploy/emulator.h"
#include "deploy/recording.h"
#include "tap.h"

static char dir[] = "/tmp/owlet-recording-XXXXXX";
static struct owlet_emulator emu;

/* the aws CLI against the emulator; 0 when it succeeded */
static int aws(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 "
		 "AWS_EC2_METADATA_DISABLED=true env -u AWS_PROFILE aws --endpoint-url %s %s >/dev/null 2>&1",
		 emu.endpoint, args);
	return system(cmd);
}

/* decide, then mark the end as an up that succeeded would */
static bool decide(char *why, size_t size, bool force)
{
	bool skip = true;
	long long mark = -1;
	int rc = owlet_refresh_decide(&skip, &mark, why, size, dir, emu.pid, force);
	if (rc < 0)
		diag("decide: %s", owlet_error_last());
	if (mark >= 0)
		owlet_refresh_mark(dir, emu.pid, mark);
	return skip;
}

int main(void)
{
	if (system("command -v moto_server >/dev/null && command -v aws >/dev/null && command -v curl >/dev/null") != 0) {
		printf("1..0 # SKIP moto_server, the aws CLI or curl is not installed\n");
		return 0;
	}
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	int rc = owlet_emulator_start(&emu, dir);
	ok(rc == 0, "the emulator starts, as up starts it");
	if (rc < 0) {
		diag("%s", owlet_error_last());
		return exit_status();
	}
	char why[400], *rec = owlet_fs_join(dir, OWLET_RECORDING_FILE);
	struct stat st;
	ok(stat(rec, &st) == 0, "it records its requests in %s", OWLET_RECORDING_FILE);
	is_int(st.st_mode & 0777, 0600, "readable by this user only");

	ok(!decide(why, sizeof why, false), "no up yet: refresh");
	like(why, "no record of a successful up", "and why");

	/* what owlet's own loop does, and reads by anyone */
	aws("s3api create-bucket --bucket owlet-rec-data");
	aws("s3api put-object --bucket owlet-rec-data --key raw/trips/x.jsonl --body /etc/hostname");
	aws("s3api list-objects-v2 --bucket owlet-rec-data");
	aws("ec2 describe-vpcs");
	aws("cognito-idp list-user-pools --max-results 5");
	/* the function's counts in the metadata table: items, not the table terraform manages */
	aws("dynamodb create-table --table-name owlet-rec-meta --attribute-definitions AttributeName=dataset,AttributeType=S "
	    "--key-schema AttributeName=dataset,KeyType=HASH --billing-mode PAY_PER_REQUEST");
	ok(!decide(why, sizeof why, false), "a table made by the aws CLI: refresh");
	like(why, "CreateTable", "naming the action");
	aws("dynamodb update-item --table-name owlet-rec-meta --key '{\"dataset\":{\"S\":\"trips\"}}' "
	    "--update-expression 'ADD #r :n' --expression-attribute-names '{\"#r\":\"rows\"}' "
	    "--expression-attribute-values '{\":n\":{\"N\":\"3\"}}'");
	aws("dynamodb put-item --table-name owlet-rec-meta --item '{\"dataset\":{\"S\":\"upload#1\"}}'");
	aws("dynamodb query --table-name owlet-rec-meta --key-condition-expression 'dataset = :d' "
	    "--expression-attribute-values '{\":d\":{\"S\":\"trips\"}}'");
	ok(decide(why, sizeof why, false), "reads, records, a new bucket, metadata items: the refresh may be skipped");
	like(why, "nothing but owlet has changed the emulator", "and why");
	ok(strstr(why, "(0 requests") == NULL, "with the requests read (%s)", why);

	ok(!decide(why, sizeof why, true), "--refresh refreshes anyway");
	like(why, "asked for (--refresh)", "and says so");
	ok(decide(why, sizeof why, false), "and the next up may skip it again");

	/* long lines (an upload of 200 KB) are read without their body */
	FILE *big = fopen("/tmp/owlet-recording-big.bin", "w");
	for (int i = 0; big && i < 200 * 1024; i++)
		fputc('a' + i % 26, big);
	if (big)
		fclose(big);
	aws("s3api put-object --bucket owlet-rec-data --key raw/trips/big.jsonl --body /tmp/owlet-recording-big.bin");
	ok(decide(why, sizeof why, false), "a long record upload: the refresh may still be skipped");
	aws("s3api put-object --bucket owlet-rec-data --key _owlet/model.json --body /tmp/owlet-recording-big.bin");
	ok(!decide(why, sizeof why, false), "a long upload of the model object: refresh");
	like(why, "PUT /owlet-rec-data/_owlet/model.json", "naming it");
	unlink("/tmp/owlet-recording-big.bin");

	aws("s3api put-bucket-tagging --bucket owlet-rec-data --tagging 'TagSet=[{Key=owner,Value=someone}]'");
	ok(!decide(why, sizeof why, false), "a bucket's tag changed by the aws CLI: refresh");
	like(why, "1 request since the last up did not come from owlet, the first: PUT /owlet-rec-data?tagging (aws-cli/",
	     "naming the request and who sent it");

	aws("s3api put-object --bucket owlet-rec-data --key _owlet/model.json --body /etc/hostname");
	ok(!decide(why, sizeof why, false), "the model object (managed by terraform) rewritten: refresh");
	like(why, "PUT /owlet-rec-data/_owlet/model.json", "naming it");

	aws("ec2 create-tags --resources vpc-12345678 --tags Key=a,Value=b");
	ok(!decide(why, sizeof why, false), "an EC2 CreateTags (query protocol): refresh");
	like(why, "the first: CreateTags (aws-cli/", "naming the action");

	aws("logs create-log-group --log-group-name owlet-rec");
	ok(!decide(why, sizeof why, false), "a JSON-protocol write (X-Amz-Target): refresh");
	like(why, "CreateLogGroup", "naming the action");

	/* owlet's own terraform: TF_APPEND_USER_AGENT */
	char cmd[600];
	snprintf(cmd, sizeof cmd,
		 "curl -s -o /dev/null -X PUT -H 'User-Agent: Terraform/1.11 %s' --data-binary "
		 "'<Tagging><TagSet/></Tagging>' '%s/owlet-rec-data?tagging'",
		 OWLET_TF_USER_AGENT, emu.endpoint);
	ok(system(cmd) == 0, "a write with owlet's terraform's User-Agent");
	ok(decide(why, sizeof why, false), "is owlet's: the refresh may be skipped");

	/* a failed up leaves no mark */
	bool skip;
	long long mark;
	owlet_refresh_decide(&skip, &mark, why, sizeof why, dir, emu.pid, false);
	ok(!decide(why, sizeof why, false), "an up that did not succeed leaves no record: the next refreshes");
	ok(!owlet_refresh_decide(&skip, &mark, why, sizeof why, dir, getpid(), false) && !skip,
	   "a process that does not record (an emulator of an older owlet), though the file is there: refresh");
	like(why, "keeps no record of its requests", "and why");

	/* a line cut in the middle (moto still writing) is not read yet */
	decide(why, sizeof why, false);
	FILE *f = fopen(rec, "a");
	if (f) {
		fputs("{\"method\": \"PUT\", \"url\": \"http://x/b?tagging\"", f);
		fclose(f);
	}
	ok(decide(why, sizeof why, false), "a line still being written is left for the next up");
	f = fopen(rec, "a");
	if (f) {
		fputs(", \"headers\": {}}\n", f);
		fclose(f);
	}
	ok(!decide(why, sizeof why, false), "and read by it once whole");

	/* two requests served at once: moto writes each as the JSON, then
	 * "\n", so they can land on one line, `{A}{B}`, and an empty one */
	static const char get_a[] = "{\"headers\": {}, \"method\": \"GET\", \"url\": \"http://x/a\", \"body\": \"\", "
				    "\"body_encoded\": false}";
	static const char tag_b[] = "{\"headers\": {}, \"method\": \"PUT\", \"url\": \"http://x/b?tagging\", "
				    "\"body\": \"\", \"body_encoded\": false}";
	decide(why, sizeof why, false);
	f = fopen(rec, "a");
	if (f) {
		fprintf(f, "%s%s\n\n", get_a, get_a);
		fclose(f);
	}
	ok(decide(why, sizeof why, false), "two reads on one line, then an empty line: nothing foreign");
	f = fopen(rec, "a");
	if (f) {
		fprintf(f, "%s%s\n\n", get_a, tag_b);
		fclose(f);
	}
	ok(!decide(why, sizeof why, false), "a tag written behind a read on the same line is foreign");
	like(why, "PUT /b?tagging", "and named");
	/* the same behind a long upload (read without its body) */
	size_t long_len = 200000;
	char *body = malloc(long_len + 1);
	f = body ? fopen(rec, "a") : NULL;
	if (f) {
		memset(body, 'A', long_len);
		body[long_len] = '\0';
		fprintf(f, "{\"headers\": {\"User-Agent\": \"x owlet-terraform\"}, \"method\": \"PUT\", "
			   "\"url\": \"http://x/owlet-zips/lambda.zip\", \"body\": \"%s\", \"body_encoded\": true}%s\n\n",
			body, tag_b);
		fclose(f);
	}
	free(body);
	ok(!decide(why, sizeof why, false), "a tag written behind a long upload on the same line is foreign");
	like(why, "PUT /b?tagging", "and named");

	owlet_emulator_stop(dir);
	ok(!owlet_fs_exists(rec) || owlet_emulator_start(&emu, dir) == 0, "a new emulator");
	ok(!decide(why, sizeof why, false), "a new emulator's first up refreshes");
	like(why, "the emulator was restarted since the last up", "and why");
	owlet_emulator_stop(dir);
	free(rec);
	char rm[200];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	if (system(rm) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
