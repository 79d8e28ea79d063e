/*
 * http.h: the small pieces that owlet's two loopback HTTP servers (the
 * Lambda Runtime API of runtime_api.c and the local API of localapi.c) share
 * around libmicrohttpd: start a daemon on 127.0.0.1 in thread-per-connection
 * mode (handlers may block, as GET /invocation/next must), gather a request
 * body, and queue a response with headers.
 */
#ifndef OWLET_LOCALHTTP_H
#define OWLET_LOCALHTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

struct owlet_http_config {
	uint16_t port;                          /* 0: any free port */
	MHD_AccessHandlerCallback handler;
	void *handler_cls;
	MHD_RequestCompletedCallback completed; /* may be NULL */
	void *completed_cls;
	void *(*uri_log)(void *cls, const char *uri, struct MHD_Connection *c); /* may be NULL */
	void *uri_log_cls;
	unsigned connection_limit;              /* 0: 256 */
	unsigned per_ip_limit;                  /* connections per client address; 0: no limit */
	unsigned timeout_s;                     /* an idle connection is closed after this; 0: never */
	bool strict;                            /* MHD's strict HTTP parsing: HTTP/1.1 needs Host, no
						   spaces or control bytes in the request line */
};

/* Starts the daemon on 127.0.0.1; *port_out is the port it listens on. */
int owlet_http_start(struct MHD_Daemon **out, uint16_t *port_out, const struct owlet_http_config *cfg);

/* A request body gathered over the calls of an access handler. */
struct owlet_http_body {
	char *data;    /* NUL-terminated, owned */
	size_t len, cap;
	size_t limit;  /* larger bodies set too_big and are dropped */
	bool too_big;
};
/* Appends the upload data of one handler call; returns false on ENOMEM. */
bool owlet_http_body_add(struct owlet_http_body *b, const char *data, size_t len);
void owlet_http_body_free(struct owlet_http_body *b);

/* Queues a response: `headers` is NULL or name, value, ..., NULL. */
enum MHD_Result owlet_http_respond(struct MHD_Connection *c, unsigned status, const char *content_type,
				   const char *body, size_t len, const char *const *headers);

#endif
