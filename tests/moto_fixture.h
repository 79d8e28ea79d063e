/*
 * moto_fixture.h: start a moto_server on a free port of 127.0.0.1 for a C
 * test, and stop it by its PID (header-only).
 *   pid_t pid = moto_start(endpoint, sizeof endpoint);   0: not available
 *   ...
 *   moto_make_bucket(endpoint, "name", "KEY:SECRET");     0: made
 *   moto_stop(pid);
 */
#ifndef OWLET_MOTO_FIXTURE_H
#define OWLET_MOTO_FIXTURE_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

static inline int moto_free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	close(s);
	return ntohs(a.sin_port);
}

static inline size_t moto_discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* moto has no bucket until one is made: a signed PUT /BUCKET (0, or -1) */
static inline int moto_make_bucket(const char *endpoint, const char *bucket, const char *userpwd)
{
	char url[256];
	snprintf(url, sizeof url, "%s/%s", endpoint, bucket);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, moto_discard);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	return status == 200 ? 0 : -1;
}

static inline void moto_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static inline pid_t moto_start(char *endpoint, size_t size)
{
	int port = moto_free_port();
	if (port < 0)
		return 0;
	char ports[16];
	snprintf(ports, sizeof ports, "%d", port);
	snprintf(endpoint, size, "http://127.0.0.1:%d", port);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		/* a test that aborts (a sanitizer) never reaches moto_stop: moto goes with it */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p", ports, (char *)NULL);
		_exit(127);
	}
	char url[128];
	snprintf(url, sizeof url, "%s/moto-api/", endpoint);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, moto_discard);
	int up = 0;
	for (int i = 0; i < 900 && !up; i++) { /* 90 s: moto takes more than 15 s to start on two loaded cores */
		up = curl_easy_perform(h) == CURLE_OK;
		if (!up)
			usleep(100000);
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			pid = 0;
			break;
		}
	}
	curl_easy_cleanup(h);
	if (!up) {
		moto_stop(pid);
		return 0;
	}
	return pid;
}

#endif
