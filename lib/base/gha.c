/* gha.c: GitHub Actions' workflow commands and step summary (see gha.h). */
#include "base/gha.h"
#include "base/buf.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GHA_MESSAGE_MAX 4096

bool owlet_gha_enabled(void)
{
	const char *v = getenv("GITHUB_ACTIONS");
	return v && strcmp(v, "true") == 0;
}

/* Appends s (at most max bytes) escaped; property values also escape ':' and ','. */
static int escape(struct owlet_buf *b, const char *s, size_t max, bool property)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && s[i] && i < max; i++) {
		char c = s[i];
		const char *e = c == '%' ? "%25" : c == '\r' ? "%0D" : c == '\n' ? "%0A" : NULL;
		if (!e && property)
			e = c == ':' ? "%3A" : c == ',' ? "%2C" : NULL;
		rc = e ? owlet_buf_append(b, e, 3) : owlet_buf_append(b, &c, 1);
	}
	return rc;
}

char *owlet_gha_error(const char *file, int line, int col, const char *title, const char *message)
{
	struct owlet_buf b = { 0 };
	char num[32];
	const char *sep = " ";
	int rc = owlet_buf_append(&b, "::error", 7);
	if (rc == 0 && file && file[0]) {
		rc = owlet_buf_append(&b, " file=", 6);
		if (rc == 0)
			rc = escape(&b, file, GHA_MESSAGE_MAX, true);
		sep = ",";
		if (rc == 0 && line > 0) {
			int n = snprintf(num, sizeof num, ",line=%d", line);
			rc = owlet_buf_append(&b, num, (size_t)n);
			if (rc == 0 && col > 0) {
				n = snprintf(num, sizeof num, ",col=%d", col);
				rc = owlet_buf_append(&b, num, (size_t)n);
			}
		}
	}
	if (rc == 0 && title && title[0]) {
		rc = owlet_buf_append(&b, sep, 1);
		if (rc == 0)
			rc = owlet_buf_append(&b, "title=", 6);
		if (rc == 0)
			rc = escape(&b, title, 256, true);
	}
	if (rc == 0)
		rc = owlet_buf_append(&b, "::", 2);
	if (rc == 0)
		rc = escape(&b, message ? message : "", GHA_MESSAGE_MAX, false);
	if (rc == 0 && !b.data)
		rc = owlet_buf_append(&b, "", 0);
	if (rc < 0) {
		owlet_buf_free(&b);
		return NULL;
	}
	return b.data;
}

int owlet_gha_summary_append(const char *markdown)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (!owlet_gha_enabled() || !path || !path[0])
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return owlet_error_setc(OWLET_EIO, "cannot write the step summary '%s': %s", path, strerror(errno));
	size_t len = strlen(markdown), done = 0;
	while (done < len) {
		ssize_t n = write(fd, markdown + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			return owlet_error_setc(OWLET_EIO, "cannot write the step summary '%s': %s", path, strerror(e));
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
}

char *owlet_gha_md_cell(const char *text, size_t max)
{
	struct owlet_buf b = { 0 };
	int rc = owlet_buf_append(&b, "", 0);
	for (size_t i = 0; rc == 0 && text && text[i] && i < max; i++) {
		char c = text[i];
		if (c == '|')
			rc = owlet_buf_append(&b, "\\|", 2);
		else if (c == '\n' || c == '\r')
			rc = owlet_buf_append(&b, " ", 1);
		else
			rc = owlet_buf_append(&b, &c, 1);
	}
	if (rc < 0) {
		owlet_buf_free(&b);
		return NULL;
	}
	return b.data;
}
