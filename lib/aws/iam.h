/*
 * iam.h: the few IAM questions `owlet bootstrap` asks before terraform runs
 * (does a role exist, which OIDC provider is GitHub's), over the Query API
 * (lib/aws/query.h).  IAM is global: signed for us-east-1.
 */
#ifndef OWLET_IAM_H
#define OWLET_IAM_H

#include <stddef.h>

struct owlet_iam {
	const char *endpoint;      /* NULL: $AWS_ENDPOINT_URL_IAM, $AWS_ENDPOINT_URL, https://iam.amazonaws.com/ */
	const char *access_key;    /* NULL: the AWS_* variables (query.h) */
	const char *secret_key;
	const char *session_token;
};

/* 1 when the role exists, 0 when IAM answers NoSuchEntity; OWLET_EINVALID
 * for another refusal (IAM's code and message), OWLET_EIO. */
int owlet_iam_role_exists(const struct owlet_iam *c, const char *name);

/* The ARN of the account's OpenID Connect provider for `host`
 * (token.actions.githubusercontent.com) into arn, "" when there is none. */
int owlet_iam_find_oidc_provider(char *arn, size_t size, const struct owlet_iam *c, const char *host);

#endif
