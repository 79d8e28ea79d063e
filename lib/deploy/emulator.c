/* emulator.c: moto_server on 127.0.0.1 for the local target (see emulator.h). */
#include "deploy/emulator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "deploy/recording.h"

#define START_TIMEOUT_MS 30000

int owlet_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return owlet_error_setc(OWLET_EIO, "cannot create a socket: %s", strerror(errno));
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof addr;
	int rc;
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot find a free port on 127.0.0.1: %s", strerror(errno));
	else
		rc = ntohs(addr.sin_port);
	close(fd);
	return rc;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

/* One request to the emulator on 127.0.0.1; *http_code is 0 when nothing
 * answered.  Never goes through a proxy. */
static int loopback_request(long *http_code, int port, const char *method, const char *path,
			    const char *body, long timeout_ms)
{
	*http_code = 0;
	CURL *curl = curl_easy_init();
	if (!curl)
		return owlet_error_setc(OWLET_ENOMEM, "cannot create a curl handle");
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	CURLcode res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, http_code);
	curl_easy_cleanup(curl);
	return 0;
}

bool owlet_emulator_answers(int port)
{
	long code;
	return loopback_request(&code, port, "GET", "/moto-api/", NULL, 2000) == 0 && code > 0;
}

static bool is_moto(pid_t pid)
{
	char path[64], *cmdline = NULL;
	size_t len;
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if (owlet_fs_read(&cmdline, &len, path) < 0) {
		owlet_error_clear();
		return false;
	}
	for (size_t i = 0; i < len; i++)
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
	bool moto = strstr(cmdline, "moto_server") != NULL;
	free(cmdline);
	return moto;
}

static char *emulator_json_path(const char *state_dir)
{
	return owlet_fs_join(state_dir, "emulator.json");
}

int owlet_emulator_find(struct owlet_emulator *out, const char *state_dir)
{
	memset(out, 0, sizeof *out);
	char *path = emulator_json_path(state_dir);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = OWLET_ENOTFOUND;
	json_t *j = json_load_file(path, 0, NULL);
	json_int_t pid = 0, port = 0;
	if (!j || json_unpack(j, "{s:I, s:I}", "pid", &pid, "port", &port) != 0 || pid <= 0 || port <= 0 ||
	    port > 65535) {
		owlet_error_setc(rc, "no emulator runs for '%s'", state_dir);
		goto out;
	}
	if (!owlet_proc_alive((pid_t)pid) || !is_moto((pid_t)pid) || !owlet_emulator_answers((int)port)) {
		owlet_error_setc(rc, "the emulator of '%s' (pid %d) is not running", state_dir, (int)pid);
		goto out;
	}
	out->pid = (pid_t)pid;
	out->port = (int)port;
	snprintf(out->endpoint, sizeof out->endpoint, "http://127.0.0.1:%d", out->port);
	rc = 0;
out:
	json_decref(j);
	free(path);
	return rc;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int write_emulator_json(const char *state_dir, const struct owlet_emulator *emu)
{
	char *path = emulator_json_path(state_dir);
	json_t *j = json_pack("{s:s, s:i, s:i}", "endpoint", emu->endpoint, "pid", (int)emu->pid, "port",
			      emu->port);
	int rc = path && j ? owlet_fs_write_json(path, j, JSON_INDENT(2))
			   : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(j);
	free(path);
	return rc;
}

/* One attempt at starting moto_server on a fresh port. */
static int start_once(struct owlet_emulator *out, const char *state_dir, const char *log_path)
{
	int port = owlet_free_port();
	if (port < 0)
		return port;
	char port_s[16];
	snprintf(port_s, sizeof port_s, "%d", port);
	const char *argv[] = { "moto_server", "-H", "127.0.0.1", "-p", port_s, NULL };
	/* moto's request recorder: what changed the emulator since the last up
	 * (deploy/recording.h); a new emulator starts a new recording */
	const char *env[] = { "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "AWS_EC2_METADATA_DISABLED=true",
			      "MOTO_ENABLE_RECORDING=True", "MOTO_RECORDER_FILEPATH=" OWLET_RECORDING_FILE, NULL };
	char *recording = owlet_fs_join(state_dir, OWLET_RECORDING_FILE);
	if (!recording)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	/* empty, and readable by this user only: it holds every request's
	 * headers and body (docs/security.md) */
	int fd = open(recording, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = fd >= 0 && fchmod(fd, 0600) == 0
			 ? 0
			 : owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", recording, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(recording);
	if (rc < 0)
		return rc;
	struct owlet_proc_opts opts = { .argv = argv, .env = env, .cwd = state_dir, .log_path = log_path };
	pid_t pid;
	rc = owlet_proc_spawn_detached(&pid, &opts);
	if (rc < 0)
		return rc;
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 100) {
		if (!owlet_proc_alive(pid))
			return owlet_error_setc(OWLET_ECHILD, "moto_server exited at start (see '%s')", log_path);
		if (owlet_emulator_answers(port)) {
			out->pid = pid;
			out->port = port;
			snprintf(out->endpoint, sizeof out->endpoint, "http://127.0.0.1:%d", port);
			return 0;
		}
		sleep_ms(100);
	}
	owlet_proc_stop(pid, SIGTERM, 2000);
	return owlet_error_setc(OWLET_ECHILD, "moto_server did not answer on 127.0.0.1:%d within %d s (see '%s')",
				port, START_TIMEOUT_MS / 1000, log_path);
}

int owlet_emulator_start(struct owlet_emulator *out, const char *state_dir)
{
	if (owlet_emulator_find(out, state_dir) == 0) {
		out->reused = true;
		return 0;
	}
	owlet_error_clear();
	char *moto = owlet_proc_which("moto_server");
	if (!moto)
		return owlet_error_setc(OWLET_ENOTFOUND,
					"'moto_server' not found on PATH: the local environment needs it; "
					"install it with 'pip install \"moto[server]\"'");
	free(moto);
	int rc = owlet_fs_mkdirs(state_dir);
	if (rc < 0)
		return rc;
	char *log_path = owlet_fs_join(state_dir, "emulator.log");
	if (!log_path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = start_once(out, state_dir, log_path);
		if (rc == 0 || rc == OWLET_ENOTFOUND)
			break;
	}
	if (rc == 0)
		rc = write_emulator_json(state_dir, out);
	free(log_path);
	return rc;
}

int owlet_emulator_stop(const char *state_dir)
{
	char *path = emulator_json_path(state_dir);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	/* stop a recorded moto_server even when its port no longer answers.
	 * It keeps nothing that outlives it (its resources and the recording go
	 * with it), yet Python's shutdown after SIGTERM took 2 s idle and up to
	 * the old 5 s limit with a stack in it at load 25-45: one second, then
	 * SIGKILL. */
	json_t *j = json_load_file(path, 0, NULL);
	json_int_t pid = 0;
	if (j && json_unpack(j, "{s:I}", "pid", &pid) == 0 && pid > 0 && owlet_proc_alive((pid_t)pid) &&
	    is_moto((pid_t)pid))
		rc = owlet_proc_stop((pid_t)pid, SIGTERM, 1000);
	json_decref(j);
	if (rc == 0 && unlink(path) != 0 && errno != ENOENT)
		rc = owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

int owlet_emulator_create_bucket(const struct owlet_emulator *emu, const char *bucket, const char *region)
{
	char path[300];
	snprintf(path, sizeof path, "/%s", bucket);
	char body[512];
	const char *payload = NULL;
	if (region && strcmp(region, "us-east-1") != 0) {
		snprintf(body, sizeof body,
			 "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			 "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
			 region);
		payload = body;
	}
	long code;
	int rc = loopback_request(&code, emu->port, "PUT", path, payload, 10000);
	if (rc < 0)
		return rc;
	if (code == 200 || code == 409)
		return 0;
	return owlet_error_setc(OWLET_EIO, "cannot create bucket '%s' in the emulator (HTTP %ld)", bucket, code);
}
