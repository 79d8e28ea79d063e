/*
 * recording.h: whether anything but owlet has changed the local emulator
 * since the last `owlet up`, so that up may plan without terraform's refresh.
 *
 * owlet starts moto_server with moto's request recorder on
 * (MOTO_ENABLE_RECORDING, MOTO_RECORDER_FILEPATH): moto appends one JSON line
 * per request, {"headers","method","url","body","body_encoded"}, before it
 * serves the request, to <state_dir>/emulator-requests.jsonl.  owlet's
 * terraform sends OWLET_TF_USER_AGENT in its User-Agent (TF_APPEND_USER_AGENT).
 *
 * After a successful up, <state_dir>/refresh.json records
 * {"emulator_pid":N,"offset":N}: the emulator, and how much of its recording
 * the state is known to account for (the recording's whole lines when that
 * up's plan started).  The next up reads the recording from there.  Its
 * requests are owlet's (this User-Agent), reads (GET/HEAD, or an action named
 * Get*, List*, Describe*, Head*, Search*, Lookup*), or writes that change
 * nothing terraform manages: an S3 object other than `_owlet/...` (records,
 * statistics, the state file), creating an S3 bucket, Cognito's users and
 * sign-ins, Athena queries.  Anything else (a tag, a policy, a deletion, a
 * line that does not parse) is foreign, and up refreshes; so does an
 * emulator whose environment (/proc/PID/environ) does not turn the recorder
 * on into that file, from state_dir.
 */
#ifndef OWLET_RECORDING_H
#define OWLET_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OWLET_RECORDING_FILE "emulator-requests.jsonl"
#define OWLET_REFRESH_MARK_FILE "refresh.json"
#define OWLET_TF_USER_AGENT "owlet-terraform"
/* more recording than this to read since the last up: refresh instead */
#define OWLET_RECORDING_MAX_SCAN (512LL * 1024 * 1024)

struct owlet_recording_scan {
	size_t requests;  /* lines read */
	size_t foreign;   /* requests that may have changed what terraform manages */
	char first[300];  /* the first of them: "PUT /bucket?tagging (aws-cli/1.45.11 ...)" */
};

/* Reads [from, to) of the recording at path (whole lines) and classifies
 * each request as above. */
int owlet_recording_scan(struct owlet_recording_scan *out, const char *path, long long from, long long to);

/* The offset just past the last whole line of the recording (0 when it is
 * empty); OWLET_ENOTFOUND when there is no recording. */
int owlet_recording_end(long long *end, const char *path);

/* Whether up may plan without a refresh: *skip, with a line saying why (or
 * why not) in why; never with force.  *mark: the offset to record after the
 * up succeeds (owlet_refresh_mark), -1 when the emulator keeps no recording.
 * refresh.json is removed, so an up that fails leaves none and the next one
 * refreshes. */
int owlet_refresh_decide(bool *skip, long long *mark, char *why, size_t why_size, const char *state_dir,
			 pid_t emulator_pid, bool force);
/* After a successful up: refresh.json for the next. */
int owlet_refresh_mark(const char *state_dir, pid_t emulator_pid, long long offset);
/* Removes refresh.json (0 when there is none). */
int owlet_refresh_forget(const char *state_dir);

#endif
