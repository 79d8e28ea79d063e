/*
 * sts.h: who the environment's AWS credentials are: STS GetCallerIdentity
 * over libcurl with SigV4 (CURLOPT_AWS_SIGV4), before terraform runs.
 * Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
 * endpoint: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else
 * https://sts.<region>.amazonaws.com.
 */
#ifndef OWLET_STS_H
#define OWLET_STS_H

struct owlet_sts_identity {
	char account[32];
	char arn[512];
};

/* 0 and the identity; OWLET_EUSAGE when no credentials are set (the message
 * names the variables, and how to export a profile's); OWLET_EINVALID when
 * STS refuses them (AWS's code and message); OWLET_EIO when STS cannot be
 * reached. */
int owlet_sts_caller_identity(struct owlet_sts_identity *out, const char *region);

#endif
