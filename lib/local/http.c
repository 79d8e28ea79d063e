/* http.c: shared libmicrohttpd helpers (see http.h). */
#include "local/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int owlet_http_start(struct MHD_Daemon **out, uint16_t *port_out, const struct owlet_http_config *cfg)
{
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(cfg->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, cfg->port, NULL, NULL,
		cfg->handler, cfg->handler_cls, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, cfg->completed, cfg->completed_cls,
		MHD_OPTION_URI_LOG_CALLBACK, cfg->uri_log, cfg->uri_log_cls,
		MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit ? cfg->connection_limit : 256u,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_STRICT_FOR_CLIENT, cfg->strict ? 1 : 0,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!d)
		return owlet_error_setc(OWLET_EIO, "cannot listen on 127.0.0.1:%u", (unsigned)cfg->port);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port_out = info ? info->port : cfg->port;
	*out = d;
	return 0;
}

bool owlet_http_body_add(struct owlet_http_body *b, const char *data, size_t len)
{
	if (b->too_big || (b->limit && b->len + len > b->limit)) {
		b->too_big = true;
		return true;
	}
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return false;
		b->data = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return true;
}

void owlet_http_body_free(struct owlet_http_body *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

enum MHD_Result owlet_http_respond(struct MHD_Connection *c, unsigned status, const char *content_type,
				   const char *body, size_t len, const char *const *headers)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		MHD_add_response_header(r, headers[i], headers[i + 1]);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}
